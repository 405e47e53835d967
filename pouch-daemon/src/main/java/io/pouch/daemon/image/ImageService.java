package io.pouch.daemon.image;

import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/** The local images as the Engine API's image routes use them; the registry side is {@link PullService} and co. */
public interface ImageService {
    /** {@code GET /images/json} without {@code all}: untagged parent images left out, as dockerd does. */
    List<ImageSummary> list(Filters filters, ImageFields fields);

    /** {@code GET /images/json?all=}: with {@code all}, the untagged parent images (intermediate images) too. */
    default List<ImageSummary> list(Filters filters, ImageFields fields, boolean all) {
        return list(filters, fields);
    }

    /** {@code GET /images/{name}/json}. */
    ImageInspect inspect(String reference, ImageFields fields);

    /** {@code GET /images/{name}/history}, newest first. */
    List<ImageHistoryItem> history(String reference);

    /** {@code POST /images/{name}/tag?repo=&tag=}. */
    void tag(String source, String repo, String tag);

    /** {@code DELETE /images/{name}}, with dockerd's rules and wording; its untagged unused parents go too. */
    List<ImageDeleteItem> delete(String reference, boolean force);

    /** {@code DELETE /images/{name}?noprune=}: {@code pruneParents} false keeps the untagged parents. */
    default List<ImageDeleteItem> delete(String reference, boolean force, boolean pruneParents) {
        return delete(reference, force);
    }

    /** {@code POST /images/prune}: dockerd's answer ({@code ImagesDeleted}, {@code SpaceReclaimed}). */
    Map<String, Object> prune(Filters filters);

    /** {@code GET /system/df}. */
    Map<String, Object> diskUsage(ImageFields fields);

    /** {@code POST /images/load}: the lines docker prints ({@code Loaded image: busybox:latest}). */
    List<String> load(InputStream archive) throws IOException;

    /** {@code POST /images/create?fromSrc=-}: the new image's id. */
    String importImage(InputStream rootfs, String repo, String tag, List<String> changes, String message)
            throws IOException;

    /** The images {@code names} name, resolved before any byte of a save is sent. */
    List<SaveItem> planSave(List<String> names);

    /** {@code GET /images/get}: a docker-save tar of {@code items}. */
    void save(List<SaveItem> items, OutputStream out) throws IOException;
}
