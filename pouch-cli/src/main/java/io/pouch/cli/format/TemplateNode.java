package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The parsed tree of a template: text, actions that print a pipeline, and if/range/with branches. */
sealed interface TemplateNode {

    record Text(String text) implements TemplateNode {
    }

    record Action(Pipe pipe) implements TemplateNode {
    }

    /** if, range and with: a pipeline, a body, and what runs otherwise. */
    record Branch(String kind, Pipe pipe, List<TemplateNode> body, List<TemplateNode> orElse) implements TemplateNode {
    }

    /** A pipeline: the variables it declares ({@code $k, $v :=}) and its commands, separated by {@code |}. */
    record Pipe(List<String> decl, List<List<Arg>> commands) {
    }

    /**
     * One word of a command. The record names and components show in the message for an argument given to a
     * non-function ({@code can't give argument to non-function Field[chain=[Name]]}), so they stay as they are.
     */
    sealed interface Arg {
    }

    record Field(List<String> chain) implements Arg {
    }

    record Var(String name, List<String> chain) implements Arg {
    }

    record Literal(JsonNode value) implements Arg {
    }

    record Ident(String name) implements Arg {
    }

    record Sub(Pipe pipe) implements Arg {
    }
}
