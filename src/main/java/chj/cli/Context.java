package chj.cli;

import chj.Log;
import chj.registry.AuthException;
import chj.registry.Credential;
import chj.registry.CredentialChain;
import chj.registry.CredentialSource;
import chj.registry.RegistryClient;
import chj.registry.RegistryLog;
import chj.registry.RegistryOptions;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.Console;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the subcommands share: the console log, the store and the registry client, built from the global options. */
final class Context {

    private final GlobalOptions global;
    final ConsoleLog log;
    final Map<String, String> env = System.getenv();

    Context(GlobalOptions global) {
        this.global = global;
        this.log = new ConsoleLog("ch-image", global.verbosity(), System.err);
    }

    String user() {
        String u = env.get("USER");
        return u == null || u.isEmpty() ? System.getProperty("user.name") : u;
    }

    Path storageRoot() throws StoreException {
        return Storage.resolveRoot(global.storage, env, user());
    }

    Storage openStorage() throws StoreException {
        return Storage.open(storageRoot());
    }

    String arch() {
        return global.arch;
    }

    boolean alwaysDownload() {
        return global.alwaysDownload;
    }

    /** --cache, --no-cache or --rebuild; null when none was given. */
    chj.build.BuildOptions.CacheMode cacheMode() {
        return global.cacheMode;
    }

    RegistryClient registry() {
        return registry(false);
    }

    /** @param authenticated authenticated mode even without {@code --auth}, as every push is in Charliecloud */
    RegistryClient registry(boolean authenticated) {
        RegistryLog rlog = registryLog(log);
        RegistryOptions options = RegistryOptions.builder()
                .fromEnvironment(env)
                .tlsVerify(!global.tlsNoVerify)
                .credentials(credentials(rlog, authenticated))
                .log(rlog)
                .build();
        return new RegistryClient(options);
    }

    /**
     * Stored credentials are used whenever a registry asks (as Docker and Podman do). Authenticated
     * mode ({@code --auth} or {@code CH_IMAGE_AUTH=yes}, Charliecloud's) adds a terminal prompt for a
     * registry none of them covers.
     */
    private CredentialSource credentials(RegistryLog rlog, boolean authenticated) {
        CredentialChain stored = CredentialChain.standard(env, rlog);
        boolean authMode = authenticated || global.auth || "yes".equals(env.get("CH_IMAGE_AUTH"));
        if (!authMode) return stored;
        return new CredentialChain(List.of(stored, (authority, repository) -> prompt(authority)));
    }

    private static Optional<Credential> prompt(String authority) throws AuthException {
        Console console = System.console();
        if (console == null || !console.isTerminal())
            throw new AuthException("no stored credentials for " + authority + " and no terminal to ask for them",
                    "set CH_IMAGE_USERNAME and CH_IMAGE_PASSWORD, or log in with docker/podman/skopeo login");
        String user = console.readLine("Username for %s: ", authority);
        char[] password = console.readPassword("Password for %s@%s: ", user, authority);
        if (user == null || password == null) return Optional.empty();
        return Optional.of(new Credential(user, new String(password), "terminal prompt"));
    }

    static RegistryLog registryLog(ConsoleLog log) {
        return new RegistryLog() {
            @Override
            public boolean enabled(Level level) {
                return log.verbosity() >= switch (level) {
                    case INFO -> 0;
                    case VERBOSE -> 1;
                    case DEBUG -> 2;
                    case TRACE -> 3;
                };
            }

            @Override
            public void log(Level level, String message) {
                switch (level) {
                    case INFO -> log.info(message);
                    case VERBOSE -> log.verbose(message);
                    case DEBUG -> log.debug(message);
                    case TRACE -> log.trace(message);
                }
            }
        };
    }

    Log plainLog() {
        return log;
    }
}
