package chj.registry;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker {@code config.json} or a containers {@code auth.json}; they share one format:
 * {@code auths} (host → base64 {@code auth}, or {@code username}/{@code password}, or
 * {@code identitytoken}), {@code credHelpers} (host → helper name) and {@code credsStore} (helper for
 * every host). Lookup follows Docker: a host's credHelper, then credsStore, then the auths entry.
 * Keys may be URLs ({@code https://index.docker.io/v1/}), {@code host:port}, or (auth.json) carry a
 * repository path, where the longest matching path wins.
 */
final class AuthFile implements CredentialSource {


    private final Path file;
    private final Map<String, String> env;
    private final RegistryLog log;

    AuthFile(Path file, Map<String, String> env, RegistryLog log) {
        this.file = file;
        this.env = env;
        this.log = log;
    }

    @Override
    public Optional<Credential> find(String authority, String repository) throws RegistryException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode doc;
        try {
            doc = JsonTree.read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new RegistryException("cannot read credentials file " + file + ": " + oneLine(e), e);
        }
        if (doc == null || !doc.isObject()) throw new RegistryException("credentials file " + file + " is not a JSON object");
        String host = RegistryHosts.canonical(authority);

        String helper = matchingKey(doc.path("credHelpers"), host, repository)
                .map(k -> doc.path("credHelpers").path(k).asText("")).orElse("");
        if (helper.isEmpty()) helper = doc.path("credsStore").asText("");
        if (!helper.isEmpty()) {
            try {
                Optional<Credential> c = new CredentialHelper(helper, env).get(RegistryHosts.helperServerUrl(authority));
                if (c.isPresent()) return c;
            } catch (RegistryException e) {
                // Configs copied from laptops often name helpers (osxkeychain, desktop) that HPC
                // systems lack; that must not break pulls that need no credentials.
                log.verbose("ignoring credential helper named in " + file + ": " + e.getMessage());
            }
        }

        JsonNode auths = doc.path("auths");
        Optional<String> key = matchingKey(auths, host, repository);
        if (key.isEmpty()) return Optional.empty();
        return decodeEntry(auths.path(key.get()), key.get());
    }

    /** The key naming this host with the longest repository-path prefix of {@code repository}. */
    private static Optional<String> matchingKey(JsonNode map, String host, String repository) {
        String best = null;
        int bestLen = -1;
        for (Iterator<String> it = map.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!RegistryHosts.canonical(key).equals(host)) continue;
            String path = RegistryHosts.keyPath(key);
            boolean covers = path.isEmpty() || repository.equals(path) || repository.startsWith(path + "/");
            if (covers && path.length() > bestLen) {
                best = key;
                bestLen = path.length();
            }
        }
        return Optional.ofNullable(best);
    }

    private Optional<Credential> decodeEntry(JsonNode entry, String key) throws RegistryException {
        String origin = file + " (" + key + ")";
        String identityToken = entry.path("identitytoken").asText("");
        if (!identityToken.isEmpty())
            return Optional.of(new Credential(Credential.IDENTITY_TOKEN_USER, identityToken, origin));
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getMimeDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RegistryException("credentials file " + file + ": entry " + key + ": \"auth\" is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw new RegistryException("credentials file " + file + ": entry " + key + ": \"auth\" is not user:password");
            return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1), origin));
        }
        String user = entry.path("username").asText("");
        String password = entry.path("password").asText("");
        if (!password.isEmpty()) return Optional.of(new Credential(user, password, origin));
        return Optional.empty(); // "{}": the credsStore holds it
    }

    private static String oneLine(Exception e) {
        // Jackson's full message quotes the file around the error, which may be a secret.
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            var at = j.getLocation();
            return "invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr());
        }
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
