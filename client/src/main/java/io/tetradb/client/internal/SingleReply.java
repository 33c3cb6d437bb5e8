package io.tetradb.client.internal;

import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;

import java.util.concurrent.CompletableFuture;

/**
 * A request answered by exactly one message: the future completes with it, or
 * exceptionally with the {@link TetraException} of an error reply.
 *
 * <p>Completed on the connection's reader thread: an internal future, which synchronous
 * calls wait on directly and which is never handed to user code as it is (asynchronous
 * calls complete their own future from it through {@link Callbacks}).
 */
public final class SingleReply implements ResponseHandler {
    private final CompletableFuture<ServerMessage> future = new CompletableFuture<>();

    public CompletableFuture<ServerMessage> future() {
        return future;
    }

    @Override
    public boolean onMessage(ServerMessage m) {
        if (m.hasEvent()) {
            return false;
        }
        if (m.hasError()) {
            future.completeExceptionally(TetraException.fromWire(m.getError()));
        } else {
            future.complete(m);
        }
        return true;
    }

    @Override
    public void onFailure(TetraException e) {
        future.completeExceptionally(e);
    }
}
