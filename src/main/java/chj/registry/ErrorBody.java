package chj.registry;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The gist of an error response: the first {@code errors[]} entry's code and message
 * (distribution-spec), or the first line of a non-JSON body; empty strings when there is none.
 */
record ErrorBody(String code, String message) {

    private static final int LIMIT = 64 * 1024;

    static ErrorBody read(Response r) {
        byte[] body;
        try {
            body = r.readBody(LIMIT);
        } catch (IOException e) {
            return new ErrorBody("", "");
        }
        try {
            JsonNode first = JsonTree.read(body).path("errors").path(0);
            if (!first.isMissingNode())
                return new ErrorBody(clean(first.path("code").asText("")), clean(first.path("message").asText("")));
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through to text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        int nl = text.indexOf('\n');
        return new ErrorBody("", clean(nl < 0 ? text : text.substring(0, nl)));
    }

    /** Registry text in our one-line messages: printable and short. */
    private static String clean(String s) {
        String t = s.replaceAll("[\\p{Cntrl}]", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    /** " (CODE: message)" or "" for appending to a message. */
    String suffix() {
        if (code.isEmpty() && message.isEmpty()) return "";
        if (code.isEmpty()) return " (" + message + ")";
        return " (" + code + (message.isEmpty() ? "" : ": " + message) + ")";
    }
}
