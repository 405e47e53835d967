package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's {@code tag} log option: a template over the container's identity. The fields dockerd offers are
 * substituted ({@code {{.ID}}} is the short id, {@code {{.Name}}} the name without its slash); any other template
 * action is refused at create, so a tag never silently comes out wrong.
 */
public final class LogTag {
    public static final String DEFAULT = "{{.ID}}";
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*\\.(\\w+)\\s*}}");
    private static final Set<String> FIELDS = Set.of("ID", "FullID", "Name", "ImageID",
            "ImageFullID", "ImageName", "DaemonName");

    private LogTag() {
    }

    public static void validate(String template) {
        Matcher m = FIELD.matcher(template);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            if (!FIELDS.contains(m.group(1))) {
                throw PouchException.invalidArgument("template: log-tag: can't evaluate field " + m.group(1));
            }
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        if (rest.indexOf("{{") >= 0) {
            throw PouchException.invalidArgument("log opt tag " + template + ": only the fields "
                    + String.join(", ", FIELDS.stream().sorted().toList()) + " can be used, as {{.Field}}");
        }
    }

    /** The tag for a container; {@code name} may start with dockerd's slash. */
    public static String render(String template, String id, String name, String imageId, String imageName) {
        String image = imageId == null ? "" : imageId.startsWith("sha256:") ? imageId.substring(7) : imageId;
        Map<String, String> values = Map.of("ID", id.substring(0, Math.min(12, id.length())), "FullID", id,
                "Name", name == null ? "" : name.startsWith("/") ? name.substring(1) : name,
                "ImageID", image.substring(0, Math.min(12, image.length())), "ImageFullID", imageId == null ? "" : imageId,
                "ImageName", imageName == null ? "" : imageName, "DaemonName", "pouchd");
        return FIELD.matcher(template).replaceAll(r -> Matcher.quoteReplacement(values.getOrDefault(r.group(1), "")));
    }
}
