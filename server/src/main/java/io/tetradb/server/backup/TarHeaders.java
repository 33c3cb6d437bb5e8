package io.tetradb.server.backup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The tar format as {@link BackupArchiveWriter} writes it (POSIX.1-2001 "pax"): one
 * 512-byte ustar header per entry, preceded by a pax extended header when the path does
 * not fit ustar's 100-byte name field or is not ASCII (record {@code path}, UTF-8) or when
 * the size does not fit its 11 octal digits, 8 GiB - 1 (record {@code size}); each
 * entry's content padded with zeros to a multiple of 512 bytes; two zero records at the
 * end. GNU tar, bsdtar and Commons Compress (the restore side) read it. The header
 * fields are those Commons Compress wrote before: mode 0600 for files, uid/gid 0, no
 * user or group names.
 *
 * <p>Stateless; any thread.
 */
final class TarHeaders {
    /** Size of a tar record (header block). */
    static final int RECORD = 512;
    /** The largest size the ustar header itself holds (11 octal digits). */
    static final long MAX_USTAR_SIZE = 077777777777L;
    /** The archive's total length is padded to a multiple of this (tar's traditional blocking factor 20). */
    static final int BLOCK = 20 * RECORD;

    private static final int NAME_LENGTH = 100;

    private TarHeaders() {
    }

    /** The header(s) of a regular file entry of {@code size} bytes. */
    static byte[] file(String path, long size, long modifiedMillis) {
        return headers(path, size, modifiedMillis, 0600, (byte) '0');
    }

    /** The header(s) of a folder entry; the path gets its trailing slash here. */
    static byte[] folder(String path, long modifiedMillis) {
        return headers(path.endsWith("/") ? path : path + "/", 0, modifiedMillis, 0755, (byte) '5');
    }

    /** Zeros that follow {@code size} bytes of content to fill its last record. */
    static int padding(long size) {
        return (int) ((RECORD - size % RECORD) % RECORD);
    }

    /** Zeros that end an archive whose entries took {@code length} bytes: two zero records, then up to a block. */
    static int trailer(long length) {
        long end = length + 2 * RECORD;
        return 2 * RECORD + (int) ((BLOCK - end % BLOCK) % BLOCK);
    }

    private static byte[] headers(String path, long size, long modifiedMillis, int mode, byte type) {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size " + size + " for " + path + ".");
        }
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        // Every non-ASCII character takes more UTF-8 bytes than UTF-16 chars, so equal lengths mean ASCII.
        boolean paxPath = name.length > NAME_LENGTH || name.length != path.length();
        boolean paxSize = size > MAX_USTAR_SIZE;
        long mtime = Math.min(Math.max(0, modifiedMillis / 1000), MAX_USTAR_SIZE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(3 * RECORD);
        byte[] ustarName = name;
        if (paxPath || paxSize) {
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            if (paxPath) {
                paxRecord(records, "path", path);
                // What a reader that ignores pax headers sees: the path cut to the field, in ASCII.
                ustarName = asciiPrefix(path);
            }
            if (paxSize) {
                paxRecord(records, "size", Long.toString(size));
            }
            byte[] pax = records.toByteArray();
            out.writeBytes(ustar(asciiPrefix("./PaxHeaders.X/" + path.replace('/', '_')), pax.length, mtime, 0644,
                    (byte) 'x'));
            out.writeBytes(pax);
            out.writeBytes(new byte[padding(pax.length)]);
        }
        out.writeBytes(ustar(ustarName, paxSize ? 0 : size, mtime, mode, type));
        return out.toByteArray();
    }

    /** One pax record, "LEN key=value\n", where LEN counts the whole record including its own digits. */
    private static void paxRecord(ByteArrayOutputStream out, String key, String value) {
        byte[] body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
        int digits = 1;
        while (Integer.toString(body.length + digits).length() != digits) {
            digits++;
        }
        out.writeBytes(Integer.toString(body.length + digits).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
    }

    private static byte[] asciiPrefix(String s) {
        byte[] b = new byte[Math.min(NAME_LENGTH, s.length())];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            b[i] = c < 0x80 && c != 0 ? (byte) c : (byte) '_';
        }
        return b;
    }

    private static byte[] ustar(byte[] name, long size, long mtime, int mode, byte type) {
        byte[] h = new byte[RECORD];
        System.arraycopy(name, 0, h, 0, Math.min(NAME_LENGTH, name.length));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = type;
        byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
        System.arraycopy(magic, 0, h, 257, magic.length);
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        // The checksum is computed with its own field as spaces, then written as 6 digits, NUL, space.
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** {@code value} as {@code len - 1} zero-padded octal digits and a NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("Value " + value + " does not fit a " + len + "-byte tar field.");
        }
        int pad = len - 1 - s.length();
        for (int i = 0; i < pad; i++) {
            h[off + i] = '0';
        }
        for (int i = 0; i < s.length(); i++) {
            h[off + pad + i] = (byte) s.charAt(i);
        }
        h[off + len - 1] = 0;
    }
}
