package io.tetradb.admin;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads passwords from where {@code tetra-admin} accepts them: a file (its first line,
 * without the line end), an environment variable, or the console. Never from a plain
 * command-line value, which other users could see in the process list.
 *
 * <p>Called on the command's thread (main).
 */
public final class Secrets {
    private Secrets() {
    }

    /** The first line of {@code file} (UTF-8), as characters the caller should clear after use. */
    public static char[] readFile(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot read the " + what + " file " + file + ": "
                    + e.getMessage());
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            int end = 0;
            while (end < chars.limit() && chars.get(end) != '\n' && chars.get(end) != '\r') {
                end++;
            }
            char[] out = new char[end];
            chars.get(out, 0, end);
            Arrays.fill(chars.array(), '\0');
            if (out.length == 0) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The " + what + " file " + file + " is empty.");
            }
            return out;
        } catch (CharacterCodingException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The " + what + " file " + file + " is not UTF-8 text.");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Asks twice and checks both answers match; null when nobody can be asked. */
    public static char[] askTwice(SecretPrompt prompt, String first, String second) {
        char[] a = prompt.read(first);
        if (a == null) {
            return null;
        }
        char[] b = prompt.read(second);
        try {
            if (b == null || !Arrays.equals(a, b)) {
                Arrays.fill(a, '\0');
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The two passwords differ; nothing was changed.");
            }
            return a;
        } finally {
            if (b != null) {
                Arrays.fill(b, '\0');
            }
        }
    }
}
