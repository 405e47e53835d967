package io.pouch.daemon.p2p;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PieceLayoutTest {
    @Test
    void everyPieceIsFullButTheLast() {
        PieceLayout l = new PieceLayout(10 * 1024 + 5, 1024);
        assertEquals(11, l.count());
        assertEquals(0, l.offset(0));
        assertEquals(1024, l.length(0));
        assertEquals(10 * 1024, l.offset(10));
        assertEquals(5, l.length(10));
        assertFalse(l.valid(11));
        assertThrows(IndexOutOfBoundsException.class, () -> l.length(11));
    }

    @Test
    void anExactMultipleHasNoShortPiece() {
        PieceLayout l = new PieceLayout(4L * PieceLayout.DEFAULT_PIECE_SIZE, PieceLayout.DEFAULT_PIECE_SIZE);
        assertEquals(4, l.count());
        assertEquals(PieceLayout.DEFAULT_PIECE_SIZE, l.length(3));
    }

    @Test
    void anEmptyBlobHasNoPieces() {
        assertEquals(0, new PieceLayout(0, 1024).count());
        assertFalse(new PieceLayout(0, 1024).valid(0));
    }

    @Test
    void largeBlobsKeepLongOffsets() {
        PieceLayout l = new PieceLayout(10L << 30, 4 << 20);
        assertEquals(2560, l.count());
        assertEquals((10L << 30) - (4 << 20), l.offset(2559));
        assertTrue(l.valid(2559));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PieceLayout(-1, 1024));
        assertThrows(IllegalArgumentException.class, () -> new PieceLayout(1, 0));
    }
}
