package io.tetradb.client;

import io.tetradb.client.internal.ClientConnection;
import io.tetradb.protocol.Cancel;
import io.tetradb.protocol.ClientMessage;

import java.util.concurrent.CompletableFuture;

/**
 * The future of one request: {@link #cancel(boolean)} also asks the server to cancel
 * it (a queued request is dropped, a running statement is interrupted).
 *
 * <pre>{@code
 * TetraFuture<Result> f = client.executeAsync("UPDATE BIG SET X = X + 1");
 * f.cancel(true);   // the server cancels the UPDATE
 * }</pre>
 *
 * @param <T> the result type
 */
public final class TetraFuture<T> extends CompletableFuture<T> {
    private final ClientConnection connection;
    private volatile long requestId;

    TetraFuture(ClientConnection connection) {
        this.connection = connection;
    }

    void requestId(long id) {
        requestId = id;
    }

    /** The request's id on the connection. */
    public long requestId() {
        return requestId;
    }

    /** Asks the server to cancel the request; the future completes with the server's answer (2009 if it was cancelled). */
    public void cancelRequest() {
        connection.send(ClientMessage.newBuilder().setCancel(Cancel.newBuilder().setTargetRequestId(requestId)));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone()) {
            return false;
        }
        cancelRequest();
        return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
