package io.pouch.daemon.containerd;

import containerd.services.content.v1.ContentOuterClass;

import java.util.Map;

/** What containerd's content store records about one blob: its digest, size and labels. */
public record ContentInfo(String digest, long size, Map<String, String> labels) {
    public ContentInfo {
        labels = Map.copyOf(labels);
    }

    static ContentInfo of(ContentOuterClass.Info i) {
        return new ContentInfo(i.getDigest(), i.getSize(), i.getLabelsMap());
    }
}
