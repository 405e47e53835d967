package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pouch.cli.format.TemplateNode.Action;
import io.pouch.cli.format.TemplateNode.Arg;
import io.pouch.cli.format.TemplateNode.Branch;
import io.pouch.cli.format.TemplateNode.Field;
import io.pouch.cli.format.TemplateNode.Ident;
import io.pouch.cli.format.TemplateNode.Literal;
import io.pouch.cli.format.TemplateNode.Pipe;
import io.pouch.cli.format.TemplateNode.Sub;
import io.pouch.cli.format.TemplateNode.Text;
import io.pouch.cli.format.TemplateNode.Var;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.pouch.cli.format.GoValues.display;
import static io.pouch.cli.format.GoValues.truth;

/**
 * Runs a parsed template over JSON: {@code .} is the current value, variables live in scopes that a branch or a
 * range iteration copies (so what a body declares does not leak out), and an action prints its pipeline's value
 * unless the pipeline declares a variable. range walks arrays in order and objects by sorted key.
 */
final class TemplateEvaluator {
    private TemplateEvaluator() {
    }

    static String execute(List<TemplateNode> nodes, JsonNode data) {
        StringBuilder out = new StringBuilder();
        Map<String, JsonNode> vars = new HashMap<>();
        vars.put("$", data);
        run(nodes, data, vars, out);
        return out.toString();
    }

    private static void run(List<TemplateNode> nodes, JsonNode dot, Map<String, JsonNode> vars, StringBuilder out) {
        for (TemplateNode node : nodes) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Action a -> {
                    JsonNode v = pipe(a.pipe(), dot, vars);
                    if (a.pipe().decl().isEmpty()) {
                        out.append(display(v));
                    }
                }
                case Branch b -> branch(b, dot, vars, out);
            }
        }
    }

    private static void branch(Branch b, JsonNode dot, Map<String, JsonNode> vars, StringBuilder out) {
        Map<String, JsonNode> scope = new HashMap<>(vars);
        if (b.kind().equals("range")) {
            range(b, dot, scope, out);
            return;
        }
        JsonNode v = pipe(b.pipe(), dot, scope);
        if (truth(v)) {
            run(b.body(), b.kind().equals("with") ? v : dot, scope, out);
        } else {
            run(b.orElse(), dot, scope, out);
        }
    }

    private static void range(Branch b, JsonNode dot, Map<String, JsonNode> scope, StringBuilder out) {
        // the declared variables take each element, not the ranged-over value
        Pipe bare = new Pipe(List.of(), b.pipe().commands());
        JsonNode v = pipe(bare, dot, scope);
        List<String> decl = b.pipe().decl();
        boolean any = false;
        if (v.isArray()) {
            for (int idx = 0; idx < v.size(); idx++) {
                any = true;
                iterate(b, LongNode.valueOf(idx), v.get(idx), decl, scope, out);
            }
        } else if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : GoValues.sortedFields(v).entrySet()) {
                any = true;
                iterate(b, TextNode.valueOf(e.getKey()), e.getValue(), decl, scope, out);
            }
        } else if (!v.isMissingNode() && !v.isNull()) {
            throw new TemplateException("template: range can't iterate over " + display(v));
        }
        if (!any) {
            run(b.orElse(), dot, scope, out);
        }
    }

    private static void iterate(Branch b, JsonNode key, JsonNode value, List<String> decl,
                                Map<String, JsonNode> scope, StringBuilder out) {
        Map<String, JsonNode> inner = new HashMap<>(scope);
        if (decl.size() == 1) {
            inner.put(decl.get(0), value);
        } else if (decl.size() >= 2) {
            inner.put(decl.get(0), key);
            inner.put(decl.get(1), value);
        }
        run(b.body(), value, inner, out);
    }

    private static JsonNode pipe(Pipe pipe, JsonNode dot, Map<String, JsonNode> vars) {
        JsonNode result = null;
        for (List<Arg> command : pipe.commands()) {
            result = command(command, dot, vars, result);
        }
        for (String name : pipe.decl()) {
            vars.put(name, result);
        }
        return result;
    }

    private static JsonNode command(List<Arg> args, JsonNode dot, Map<String, JsonNode> vars, JsonNode piped) {
        Arg first = args.get(0);
        if (first instanceof Ident fn) {
            List<JsonNode> values = new ArrayList<>();
            for (Arg a : args.subList(1, args.size())) {
                values.add(value(a, dot, vars));
            }
            if (piped != null) {
                values.add(piped);
            }
            return TemplateFunctions.call(fn.name(), values);
        }
        if (args.size() > 1 || piped != null) {
            throw new TemplateException("template: can't give argument to non-function " + first);
        }
        return value(first, dot, vars);
    }

    private static JsonNode value(Arg arg, JsonNode dot, Map<String, JsonNode> vars) {
        return switch (arg) {
            case Field f -> walk(dot, f.chain());
            case Var v -> {
                JsonNode base = vars.get(v.name());
                if (base == null) {
                    throw new TemplateException("template: undefined variable: " + v.name());
                }
                yield walk(base, v.chain());
            }
            case Literal l -> l.value();
            case Sub s -> pipe(s.pipe(), dot, new HashMap<>(vars));
            case Ident i -> TemplateFunctions.call(i.name(), List.of());
        };
    }

    private static JsonNode walk(JsonNode node, List<String> chain) {
        for (String name : chain) {
            if (node == null || !node.isObject()) {
                return MissingNode.getInstance();
            }
            node = node.get(name);
        }
        return node == null ? MissingNode.getInstance() : node;
    }
}
