package io.tetradb.client.internal;

import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;

/**
 * Receives the replies to one request.
 *
 * <p>Called on the connection's reader thread: implementations must not block, and must
 * not run user code (user-visible futures are completed through {@link Callbacks}).
 */
public interface ResponseHandler {
    /** One reply; returns true when it ends the request. */
    boolean onMessage(ServerMessage m);

    /** The request can get no more replies (connection lost). */
    void onFailure(TetraException e);
}
