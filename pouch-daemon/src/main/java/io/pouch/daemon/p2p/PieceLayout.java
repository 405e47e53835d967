package io.pouch.daemon.p2p;

/**
 * How a blob of {@code size} bytes splits into pieces of {@code pieceSize} bytes: every piece is full but the last;
 * an empty blob has no pieces.
 */
public record PieceLayout(long size, int pieceSize) {
    /** The piece size when the settings give none. */
    public static final int DEFAULT_PIECE_SIZE = 4 << 20;

    public PieceLayout {
        if (size < 0) {
            throw new IllegalArgumentException("blob size must not be negative: " + size);
        }
        if (pieceSize <= 0) {
            throw new IllegalArgumentException("piece size must be positive: " + pieceSize);
        }
    }

    public int count() {
        return Math.toIntExact((size + pieceSize - 1) / pieceSize);
    }

    public long offset(int index) {
        check(index);
        return (long) index * pieceSize;
    }

    public int length(int index) {
        check(index);
        return (int) Math.min(pieceSize, size - offset(index));
    }

    public boolean valid(int index) {
        return index >= 0 && index < count();
    }

    private void check(int index) {
        if (!valid(index)) {
            throw new IndexOutOfBoundsException("piece " + index + " of a blob with " + count() + " pieces");
        }
    }
}
