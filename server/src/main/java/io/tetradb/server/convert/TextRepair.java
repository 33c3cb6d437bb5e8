package io.tetradb.server.convert;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-reads legacy 8-bit text in its real character set (docs/conversion.md, step 6): a value
 * whose characters are all below U+0100 is taken as the bytes an earlier import read as
 * ISO-8859-1 ("Ïðèâåò"), and decoded again in {@code charset} ("Привет"). A value with
 * characters above U+00FF is Unicode already and stays as it is; so does a value whose
 * bytes are not valid in the charset (nothing is ever lost: it is counted, and the
 * conversion log names it). Applied to one array element (a subfield) or to all.
 *
 * <p>Thread-safe (a decoder per call).
 */
final class TextRepair {
    private final Charset charset;
    /** 1-based element of an array column, 0 for every element (or a plain text column). */
    private final int element;
    private final AtomicLong changed = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();

    TextRepair(Charset charset, int element) {
        this.charset = charset;
        this.element = element;
    }

    Charset charset() {
        return charset;
    }

    int element() {
        return element;
    }

    /** The value re-read in the charset, or the value itself when it is not legacy 8-bit text. */
    String text(String s) {
        if (s == null) {
            return null;
        }
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                return s;
            }
            if (c >= 0x80) {
                high = true;
            }
        }
        if (!high) {
            return s;
        }
        CharsetDecoder d = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer out = d.decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)));
            return out.toString();
        } catch (CharacterCodingException e) {
            return s;
        }
    }

    /** Like {@link #text}, counting what it changed and what it could not decode. */
    String repairCounted(String s) {
        String r = text(s);
        if (r != s && !r.equals(s)) {
            changed.incrementAndGet();
        } else if (s != null && isUndecodable(s)) {
            undecodable.incrementAndGet();
        }
        return r;
    }

    private boolean isUndecodable(String s) {
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                return false;
            }
            high |= c >= 0x80;
        }
        return high;
    }

    /** The elements of an array with the repair applied to the chosen one(s); the same array when nothing changes. */
    Object[] array(Object[] a, boolean counted) {
        if (a == null) {
            return null;
        }
        Object[] out = null;
        for (int i = 0; i < a.length; i++) {
            if ((element == 0 || element == i + 1) && a[i] instanceof String s) {
                String r = counted ? repairCounted(s) : text(s);
                if (!r.equals(s)) {
                    if (out == null) {
                        out = a.clone();
                    }
                    out[i] = r;
                }
            }
        }
        return out == null ? a : out;
    }

    /** Any value as the digest sees it: text or array; other values as they are. */
    Object apply(Object v) {
        if (v instanceof String s) {
            return text(s);
        }
        if (v instanceof Object[] a) {
            return array(a, false);
        }
        return v;
    }

    long changed() {
        return changed.get();
    }

    long undecodable() {
        return undecodable.get();
    }
}
