package io.pouch.daemon.container.stats;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code GET /containers/{id}/top}: ps's header as Titles, the rows whose PID belongs to the container. */
public record Top(@JsonProperty("Titles") List<String> titles, @JsonProperty("Processes") List<List<String>> processes) {

    static Top parse(String psOutput, Set<Long> pids) {
        String[] lines = psOutput.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            throw PouchException.internal("ps gave no output", null);
        }
        List<String> titles = List.of(lines[0].trim().split("\\s+"));
        int pidCol = titles.indexOf("PID");
        if (pidCol < 0) {
            throw PouchException.invalidArgument("Couldn't find PID field in ps output");
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            // the last column (the command) may hold spaces: split into at most as many fields as titles
            String[] f = lines[i].trim().split("\\s+", titles.size());
            if (f.length <= pidCol) {
                continue;
            }
            try {
                if (pids.contains(Long.parseLong(f[pidCol]))) {
                    rows.add(List.of(f));
                }
            } catch (NumberFormatException e) {
                throw PouchException.internal("unexpected pid '" + f[pidCol] + "' in ps output", null);
            }
        }
        return new Top(titles, rows);
    }
}
