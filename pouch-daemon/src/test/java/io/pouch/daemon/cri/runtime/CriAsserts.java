package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRI translation's refusals: a 400 whose message names what was refused. */
final class CriAsserts {
    private CriAsserts() {
    }

    static PouchException refused(Executable call, String... named) {
        PouchException e = assertThrows(PouchException.class, call);
        assertEquals(400, e.status(), e.getMessage());
        for (String n : named) {
            assertTrue(e.getMessage().contains(n), "\"" + e.getMessage() + "\" should name " + n);
        }
        return e;
    }
}
