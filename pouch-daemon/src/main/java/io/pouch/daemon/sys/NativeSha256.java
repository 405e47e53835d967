package io.pouch.daemon.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * SHA-256 by OpenSSL's libcrypto (EVP), for the layer hashing of a pull. pouchd runs with C1 only (see
 * {@code POUCHD_JVM_FLAGS}), and C1 has no SHA intrinsic: the JDK's SHA-256 ran at ~155 MB/s there, against ~1.6 GB/s
 * with C2's SHA-NI intrinsic, and libcrypto's SHA-NI code needs no JIT at all. Where libcrypto is not there,
 * {@link #create} gives the JDK's.
 */
public final class NativeSha256 extends MessageDigest {
    private static final Logger LOG = Logger.getLogger(NativeSha256.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Evp EVP = Evp.load();

    /** libcrypto's EVP digest calls, or null when the library is missing. */
    private record Evp(MethodHandle newCtx, MethodHandle free, MethodHandle sha256, MethodHandle init,
                       MethodHandle update, MethodHandle finish) {
        static Evp load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                return new Evp(
                        linker.downcallHandle(lib.findOrThrow("EVP_MD_CTX_new"), FunctionDescriptor.of(ADDRESS)),
                        linker.downcallHandle(lib.findOrThrow("EVP_MD_CTX_free"), FunctionDescriptor.ofVoid(ADDRESS)),
                        linker.downcallHandle(lib.findOrThrow("EVP_sha256"), FunctionDescriptor.of(ADDRESS)),
                        linker.downcallHandle(lib.findOrThrow("EVP_DigestInit_ex"),
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                        // critical: reads the Java array in place, no copy into native memory
                        linker.downcallHandle(lib.findOrThrow("EVP_DigestUpdate"),
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true)),
                        linker.downcallHandle(lib.findOrThrow("EVP_DigestFinal_ex"),
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)));
            } catch (RuntimeException | LinkageError e) {
                LOG.info("libcrypto.so.3 not usable (" + e + "): layers are hashed by the JDK");
                return null;
            }
        }
    }

    private final MemorySegment ctx;
    private final MemorySegment md;

    private NativeSha256() {
        super("SHA-256");
        try {
            md = (MemorySegment) EVP.sha256().invokeExact();
            MemorySegment c = (MemorySegment) EVP.newCtx().invokeExact();
            if (c.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("EVP_MD_CTX_new");
            }
            ctx = c;
            CLEANER.register(this, () -> {
                try {
                    EVP.free().invokeExact(c);
                } catch (Throwable ignored) {
                    // nothing left to do
                }
            });
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        engineReset();
    }

    /** libcrypto's SHA-256 when it loads, else the JDK's. */
    public static MessageDigest create() {
        if (EVP != null) {
            return new NativeSha256();
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[]{input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (len == 0) {
            return;
        }
        check((int) call(() -> (int) EVP.update().invokeExact(ctx,
                MemorySegment.ofArray(input).asSlice(offset, len), (long) len)), "EVP_DigestUpdate");
    }

    @Override
    protected byte[] engineDigest() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(32);
            check((int) call(() -> (int) EVP.finish().invokeExact(ctx, out, MemorySegment.NULL)), "EVP_DigestFinal_ex");
            byte[] d = out.toArray(ValueLayout.JAVA_BYTE);
            engineReset();
            return d;
        }
    }

    @Override
    protected void engineReset() {
        check((int) call(() -> (int) EVP.init().invokeExact(ctx, md, MemorySegment.NULL)), "EVP_DigestInit_ex");
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    private interface NativeCall {
        Object call() throws Throwable;
    }

    private static Object call(NativeCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int ok, String what) {
        if (ok != 1) {
            throw new IllegalStateException(what + " failed");
        }
    }
}
