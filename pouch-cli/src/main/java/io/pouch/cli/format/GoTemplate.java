package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The subset of Go's text/template that {@code --format} flags use, evaluated over JSON (what the daemon sent).
 * No Java library implements Go templates, so this is a deliberately small one: text and {@code {{actions}}}
 * with {@code {{-}}} trimming; fields {@code .A.B}, {@code .}, {@code $}, variables ({@code $v := ...},
 * {@code range $k, $v := ...}); string, number and bool literals; pipelines {@code a | b} and parentheses;
 * {@code if/else if/else}, {@code range/else}, {@code with/else}, {@code end}; functions json, join, split, lower,
 * upper, title, len, index, printf, print, println, eq, ne, lt, le, gt, ge, not, and, or, truncate, pad.
 * Not supported: template/define/block, method calls, {@code break/continue}.
 *
 * <p>Values print like Go's fmt with maps: a missing field is {@code <no value>}, JSON null {@code <nil>}, objects
 * {@code map[k:v ...]} with sorted keys, arrays {@code [a b]}.
 *
 * <p>{@link TemplateScanner} cuts the text into text and actions, {@link TemplateParser} and
 * {@link PipelineParser} build the {@link TemplateNode} tree, {@link TemplateEvaluator} runs it with
 * {@link TemplateFunctions}, and {@link GoValues} prints values.
 */
public final class GoTemplate {
    private final List<TemplateNode> nodes;

    private GoTemplate(List<TemplateNode> nodes) {
        this.nodes = nodes;
    }

    /** Parses the template; a syntax error is a {@link TemplateException} with Go's wording. */
    public static GoTemplate parse(String text) {
        return new GoTemplate(TemplateParser.parse(text));
    }

    public String execute(JsonNode data) {
        return TemplateEvaluator.execute(nodes, data);
    }
}
