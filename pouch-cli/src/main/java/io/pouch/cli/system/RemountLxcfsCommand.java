package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.format.Table;

/**
 * {@code remount-lxcfs}: has pouchd bind the live LXCFS files again in every running container with LXCFS on
 * (after lxcfs was restarted); one line per container, exit 1 when any failed.
 */
@picocli.CommandLine.Command(name = "remount-lxcfs", description = "remount lxcfs bind in containers")
public class RemountLxcfsCommand extends PouchCommand {
    @Override
    public Integer call() {
        JsonNode results = client().post("/lxcfs/remount", null, null).json();
        StringBuilder table = new StringBuilder("ID\tStatus\n");
        boolean failed = false;
        for (JsonNode r : results) {
            String id = text(r, "Id");
            String status = text(r, "Status");
            failed |= !status.equals("OK");
            table.append(id, 0, Math.min(12, id.length())).append('\t').append(status).append('\n');
        }
        out().print(Table.align(table.toString()));
        out().flush();
        return failed ? 1 : 0;
    }
}
