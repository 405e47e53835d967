package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OomScoresTest {
    @Test
    void restrictedScoresAreRaisedToTheFloor() {
        OomScores.Restriction r = new OomScores.Restriction(true, -500);
        assertEquals(-500, r.apply(-998));
        assertEquals(-500, r.apply(-500));
        assertEquals(-499, r.apply(-499));
        assertEquals(1000, r.apply(1000));
    }

    @Test
    void unrestrictedScoresPassThrough() {
        OomScores.Restriction r = new OomScores.Restriction(false, -500);
        assertEquals(-998, r.apply(-998));
        assertEquals(1000, r.apply(1000));
    }

    @Test
    void theHostsRestrictionNeverLowersAScore() {
        assertEquals(1000, OomScores.restrict(1000));
    }
}
