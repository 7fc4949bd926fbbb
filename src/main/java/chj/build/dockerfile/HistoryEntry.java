package chj.build.dockerfile;

import chj.json.JsonTree;
import chj.oci.ImageConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The history record of one executed instruction, machine-readable.
 *
 * <p>In the OCI config it is a normal history entry (so every tool shows it): {@code created_by} is
 * the instruction as a person would write it with variables substituted (e.g. {@code RUN apt-get
 * update}, {@code COPY src/ /app/}; no {@code /bin/sh -c #(nop)} noise), {@code empty_layer} says
 * whether it made a layer, and {@code comment} holds the structured form as a JSON object string:
 * {@code {"instruction":"COPY","arguments":{"sources":["src/"],"destination":"/app/"}}}. The
 * arguments are an object, an array or a string depending on the instruction (see
 * {@link StageBuild}). {@link #fromOci} reads it back.
 */
public record HistoryEntry(String instruction, String createdBy, JsonNode arguments, boolean emptyLayer) {


    public HistoryEntry {
        arguments = arguments.deepCopy();
    }

    /** The same entry, marked as having made a layer or not (the executor knows whether the diff was empty). */
    public HistoryEntry withEmptyLayer(boolean empty) {
        return new HistoryEntry(instruction, createdBy, arguments, empty);
    }

    /** The structured record as compact JSON, for the OCI history's {@code comment}. */
    public String comment() {
        ObjectNode o = JsonTree.object();
        o.put("instruction", instruction);
        o.set("arguments", arguments);
        return JsonTree.string(o);
    }

    /** @param created RFC 3339 time of the build step */
    public ImageConfig.History toOci(String created) {
        return new ImageConfig.History(created, createdBy, comment(), emptyLayer, null);
    }

    /** The record in an OCI history entry written by {@link #toOci}; empty for entries other tools wrote. */
    public static Optional<HistoryEntry> fromOci(ImageConfig.History h) {
        if (h.comment() == null || !h.comment().startsWith("{")) return Optional.empty();
        try {
            JsonNode o = JsonTree.read(h.comment());
            JsonNode ins = o.get("instruction");
            JsonNode args = o.get("arguments");
            if (ins == null || !ins.isTextual() || args == null) return Optional.empty();
            return Optional.of(new HistoryEntry(ins.asText(), h.createdBy(), args, h.emptyLayer()));
        } catch (JsonProcessingException notOurs) {
            return Optional.empty();
        }
    }
}
