package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code <N|file>} argument of {@code backup verify} and {@code restore}: digits name a
 * backup by its number (found in the server's backup destination), anything else is an
 * archive file on the server (a relative path is taken from the destination; write
 * {@code ./7} for a file named 7).
 *
 * <p>Immutable; the caller's thread.
 */
record ArchiveRef(long number, String file) {
    static ArchiveRef parse(String arg) {
        if (arg.matches("[0-9]{1,18}")) {
            return new ArchiveRef(Long.parseLong(arg), null);
        }
        return new ArchiveRef(0, arg);
    }

    boolean byNumber() {
        return file == null;
    }

    /** "Backup 7" or "Archive shop-0007.tar.zst", for messages. */
    String label(long numberFromServer) {
        return numberFromServer > 0 ? "Backup " + numberFromServer : "Archive " + file;
    }

    /**
     * The JSON object {@code backup verify} and {@code restore} answer with, opened with
     * what both say first: {@code "number"} ({@code null} when the server names no backup
     * number) and {@code "archive"}, the archive file on the server.
     */
    static ObjectNode json(ObjectMapper mapper, long numberFromServer, String archive) {
        ObjectNode n = mapper.createObjectNode();
        if (numberFromServer > 0) {
            n.put("number", numberFromServer);
        } else {
            n.putNull("number");
        }
        n.put("archive", archive);
        return n;
    }
}
