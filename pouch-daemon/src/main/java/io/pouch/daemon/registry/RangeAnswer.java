package io.pouch.daemon.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of a registry's answer to a {@code Range: bytes=offset-(offset+length-1)} GET, checked: a 206 must
 * start at the offset asked for and hold exactly the bytes asked for; a 200 (a registry, or a proxy before it,
 * that ignores Range) sends the whole blob, which is read up to the offset and then cut at the end of the range.
 */
final class RangeAnswer {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private RangeAnswer() {
    }

    /** The header asking for {@code length} bytes at {@code offset}. */
    static String header(long offset, int length) {
        return "bytes=" + offset + "-" + (offset + length - 1);
    }

    /** @return the bytes, or null when the status is neither 200 nor 206 (the caller turns it into the error) */
    static byte[] read(HttpResponse<InputStream> r, String digest, long offset, int length) throws IOException {
        InputStream in = r.body();
        if (r.statusCode() == 200) {
            try {
                in.skipNBytes(offset);
            } catch (EOFException e) {
                throw new IOException("the registry ignored the Range request for " + digest + " and its blob ends"
                        + " before offset " + offset);
            }
            return exactly(in, digest, offset, length);
        }
        if (r.statusCode() != 206) {
            return null;
        }
        String range = r.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(range.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) != offset
                || Long.parseLong(m.group(2)) != offset + length - 1) {
            throw new IOException("the registry answered the range " + header(offset, length) + " of " + digest
                    + " with Content-Range \"" + range + "\"");
        }
        byte[] bytes = exactly(in, digest, offset, length);
        if (in.read() != -1) {
            throw new IOException("the registry sent more than the " + length + " bytes of the range "
                    + header(offset, length) + " of " + digest);
        }
        return bytes;
    }

    private static byte[] exactly(InputStream in, String digest, long offset, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("the registry sent " + bytes.length + " of the " + length + " bytes at offset "
                    + offset + " of " + digest);
        }
        return bytes;
    }
}
