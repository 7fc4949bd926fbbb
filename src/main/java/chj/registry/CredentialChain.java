package chj.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials from the places users keep them, first match wins:
 * <ol>
 *   <li>{@code CH_IMAGE_USERNAME} and {@code CH_IMAGE_PASSWORD} (any registry; Charliecloud's);</li>
 *   <li>Docker's {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json};</li>
 *   <li>containers' auth.json: {@code $REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json},
 *       {@code ~/.config/containers/auth.json} (the first that exists);</li>
 *   <li>{@code ~/.netrc}.</li>
 * </ol>
 * Answers are remembered per registry and repository, so a credential helper runs once per process.
 */
public final class CredentialChain implements CredentialSource {

    private final List<CredentialSource> sources;
    private final Map<String, Optional<Credential>> cache = new ConcurrentHashMap<>();

    public CredentialChain(List<CredentialSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The standard chain for this process's environment. */
    public static CredentialChain standard(RegistryLog log) {
        return standard(System.getenv(), log);
    }

    /** The standard chain for {@code env} (HOME, PATH, DOCKER_CONFIG, … come from it; tests pass their own). */
    public static CredentialChain standard(Map<String, String> env, RegistryLog log) {
        String homeText = env.get("HOME");
        Path home = Path.of(homeText == null || homeText.isEmpty() ? System.getProperty("user.home") : homeText);
        List<CredentialSource> sources = new ArrayList<>();
        sources.add(fromVariables(env));

        String dockerConfig = env.get("DOCKER_CONFIG");
        Path dockerDir = dockerConfig == null || dockerConfig.isEmpty() ? home.resolve(".docker") : Path.of(dockerConfig);
        sources.add(new AuthFile(dockerDir.resolve("config.json"), env, log));

        List<Path> containers = new ArrayList<>();
        String explicit = env.get("REGISTRY_AUTH_FILE");
        if (explicit != null && !explicit.isEmpty()) containers.add(Path.of(explicit));
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) containers.add(Path.of(runtime, "containers", "auth.json"));
        containers.add(home.resolve(".config/containers/auth.json"));
        sources.add(firstExisting(containers, env, log));

        sources.add(new Netrc(home.resolve(".netrc")));
        return new CredentialChain(sources);
    }

    private static CredentialSource fromVariables(Map<String, String> env) {
        String user = env.get("CH_IMAGE_USERNAME");
        String password = env.get("CH_IMAGE_PASSWORD");
        return (authority, repository) -> user != null && password != null
                ? Optional.of(new Credential(user, password, "CH_IMAGE_USERNAME/CH_IMAGE_PASSWORD"))
                : Optional.empty();
    }

    /** Podman and skopeo read only the first auth.json that exists. */
    private static CredentialSource firstExisting(List<Path> files, Map<String, String> env, RegistryLog log) {
        return (authority, repository) -> {
            for (Path f : files)
                if (java.nio.file.Files.isRegularFile(f)) return new AuthFile(f, env, log).find(authority, repository);
            return Optional.empty();
        };
    }

    @Override
    public Optional<Credential> find(String authority, String repository) throws RegistryException {
        String key = RegistryHosts.canonical(authority) + "/" + repository;
        Optional<Credential> known = cache.get(key);
        if (known != null) return known;
        Optional<Credential> found = Optional.empty();
        for (CredentialSource s : sources) {
            found = s.find(authority, repository);
            if (found.isPresent()) break;
        }
        cache.put(key, found);
        return found;
    }
}
