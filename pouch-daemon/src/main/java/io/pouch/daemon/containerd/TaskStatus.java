package io.pouch.daemon.containerd;

import containerd.v1.types.Task;

/** A task's or process's state as containerd reports it. */
public enum TaskStatus {
    UNKNOWN, CREATED, RUNNING, STOPPED, PAUSED, PAUSING;

    static TaskStatus of(Task.Status s) {
        return switch (s) {
            case CREATED -> CREATED;
            case RUNNING -> RUNNING;
            case STOPPED -> STOPPED;
            case PAUSED -> PAUSED;
            case PAUSING -> PAUSING;
            default -> UNKNOWN;
        };
    }
}
