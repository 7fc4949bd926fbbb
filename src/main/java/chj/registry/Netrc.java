package chj.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ~/.netrc}: {@code machine HOST login USER password PASS} entries and a {@code default}
 * entry, as curl reads them (tokens separated by white space, double-quoted tokens with backslash
 * escapes, {@code macdef} bodies skipped up to an empty line). Machines match the host without port.
 */
final class Netrc implements CredentialSource {

    private final Path file;

    Netrc(Path file) {
        this.file = file;
    }

    @Override
    public Optional<Credential> find(String authority, String repository) throws RegistryException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return lookup(text, RegistryHosts.hostOnly(authority), file.toString());
    }

    static Optional<Credential> lookup(String text, String host, String origin) {
        List<String> tokens = tokenize(text);
        Credential fallback = null;
        for (int i = 0; i < tokens.size(); ) {
            String t = tokens.get(i++);
            boolean isDefault = t.equals("default");
            if (!isDefault && !t.equals("machine")) continue;
            String machine = isDefault ? null : (i < tokens.size() ? tokens.get(i++) : "");
            String login = null;
            String password = null;
            while (i < tokens.size()) {
                String k = tokens.get(i);
                if (k.equals("machine") || k.equals("default")) break;
                i++;
                String v = i < tokens.size() ? tokens.get(i++) : "";
                switch (k) {
                    case "login" -> login = v;
                    case "password" -> password = v;
                    default -> { /* account and unknown keys: ignored */ }
                }
            }
            if (password == null) continue;
            Credential c = new Credential(login == null ? "" : login, password, origin);
            if (isDefault) {
                if (fallback == null) fallback = c;
            } else if (RegistryHosts.hostOnly(machine).equals(host)) {
                return Optional.of(c);
            }
        }
        return Optional.ofNullable(fallback);
    }

    private static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') i++;
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n && text.charAt(i) != '"') {
                    char d = text.charAt(i++);
                    if (d == '\\' && i < n) d = text.charAt(i++);
                    b.append(d);
                }
                i++;
                out.add(b.toString());
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
                String word = text.substring(start, i);
                if (word.equals("macdef")) {
                    // a macro body runs to the next empty line
                    int end = text.indexOf("\n\n", i);
                    i = end < 0 ? n : end + 2;
                } else {
                    out.add(word);
                }
            }
        }
        return out;
    }
}
