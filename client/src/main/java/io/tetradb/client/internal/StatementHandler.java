package io.tetradb.client.internal;

import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.ExecuteDone;
import io.tetradb.protocol.FetchMore;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.RowBatch;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Receives the replies to one Execute: a header, row batches and a final ExecuteDone,
 * or one error. In streaming mode batches go to a queue the reading thread takes from,
 * and credit is granted as the reader consumes them, so memory stays bounded; in
 * collecting mode credit is granted as each batch arrives.
 *
 * <p>{@link #onMessage} runs on the connection's reader thread; {@link #take} and {@link #consumed} on
 * the reading thread.
 */
public final class StatementHandler implements ResponseHandler {
    /** Marks the end of the stream in the queue (the ExecuteDone or an error follow it). */
    private final CompletableFuture<ResultHeader> started = new CompletableFuture<>();
    private final CompletableFuture<ExecuteDone> finished = new CompletableFuture<>();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final boolean collect;
    private final int creditChunk;
    private final Consumer<RowBatch> collector;
    private volatile ClientConnection connection;
    private volatile long requestId;
    private int consumedSinceGrant;
    private volatile Consumer<io.tetradb.protocol.Event> requestEvents;
    private volatile long lastHeard = System.nanoTime();

    /**
     * @param collect     grant credit on arrival (the caller keeps every row) rather than on consumption
     * @param creditChunk batches received (collecting) or consumed (streaming) before credit is granted
     *                    again; less than the initial credit
     * @param collector   receives batches on arrival in collecting mode (may be null in streaming mode)
     */
    public StatementHandler(boolean collect, int creditChunk, Consumer<RowBatch> collector) {
        this.collect = collect;
        this.creditChunk = Math.max(1, creditChunk);
        this.collector = collector;
    }

    /** Sends the request on {@code c}. */
    public long start(ClientConnection c, ClientMessage.Builder execute) {
        this.connection = c;
        this.requestId = c.send(execute, this);
        return requestId;
    }

    public long requestId() {
        return requestId;
    }

    /** Completes with the header of a query, or with null for a statement without rows. */
    public CompletableFuture<ResultHeader> started() {
        return started;
    }

    /** Completes with the final ExecuteDone, or exceptionally. */
    public CompletableFuture<ExecuteDone> finished() {
        return finished;
    }

    /** Events the server sends about this request (a backup wait); {@code l} runs on the reader thread and must not block. */
    public void onRequestEvent(Consumer<io.tetradb.protocol.Event> l) {
        requestEvents = l;
    }

    /** When the server last sent something for this request ({@link System#nanoTime}). */
    public long lastHeard() {
        return lastHeard;
    }

    /** Whether the request was answered (its end or an error came). */
    public boolean isFinished() {
        return finished.isDone();
    }

    /** The next batch, ExecuteDone or TetraException, or null when none came within {@code nanos}. */
    public Object poll(long nanos) throws InterruptedException {
        return queue.poll(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean onMessage(ServerMessage m) {
        lastHeard = System.nanoTime();
        switch (m.getBodyCase()) {
            case RESULT_HEADER:
                started.complete(m.getResultHeader());
                return false;
            case ROW_BATCH:
                if (collect) {
                    collector.accept(m.getRowBatch());
                    // Credit every creditChunk batches (less than the initial credit, so the server
                    // never waits): a result of a few batches costs no FetchMore at all.
                    consumed();
                } else {
                    queue.add(m.getRowBatch());
                }
                return false;
            case DONE:
                // finished first: a reader woken by started may look at finished at once
                finished.complete(m.getDone());
                queue.add(m.getDone());
                started.complete(null);
                return true;
            case ERROR:
                fail(TetraException.fromWire(m.getError()));
                return true;
            case EVENT:
                Consumer<io.tetradb.protocol.Event> l = requestEvents;
                if (l != null) {
                    l.accept(m.getEvent());
                }
                return false;
            default:
                return false;
        }
    }

    @Override
    public void onFailure(TetraException e) {
        fail(e);
    }

    private void fail(TetraException e) {
        finished.completeExceptionally(e);
        queue.add(e);
        started.completeExceptionally(e);
    }

    /** The next batch, ExecuteDone or TetraException (blocks the reading thread). */
    public Object take() throws InterruptedException {
        return queue.take();
    }

    /** The reader finished a batch (collecting: one arrived): grant credit every {@code creditChunk} batches. */
    public void consumed() {
        if (++consumedSinceGrant >= creditChunk) {
            connection.sendFollowUp(ClientMessage.newBuilder().setRequestId(requestId)
                    .setFetchMore(FetchMore.newBuilder().setBatches(consumedSinceGrant)).build());
            consumedSinceGrant = 0;
        }
    }
}
