/**
 * {@code ch-run-oci}: an OCI runtime with runc's command line over ch-run, so that Buildah builds
 * with chj ({@code buildah bud --isolation=oci --runtime=bin/ch-run-oci}). doc/ch-run-oci.md is
 * the user's guide.
 *
 * <h2>Design</h2>
 *
 * <p>Buildah calls {@code create --bundle B --pid-file B/pid ID}, reads the pid file and waits for
 * that process as a child subreaper (its exit status is the step's), enters its network namespace
 * to set up the network, calls {@code start ID}, polls {@code state ID} every 100 ms until it says
 * {@code stopped}, and calls {@code delete ID} ({@code kill ID SIGNAL} on the way out if needed).
 * The runtime spec wants the container's process to exist after create and to run
 * {@code process.args} on start. So:
 *
 * <ul>
 *   <li><b>One process, one PID.</b> {@code create} ({@link Main}) starts the pid-file process
 *       ({@link Holder}): a few lines of the sh launcher that block on a FIFO in the state
 *       directory. {@code start} writes to the FIFO; the process sources the ch-run command line
 *       {@code create} prepared and execs ch-run, which execs the command. Exit status, signals
 *       and stdio (Buildah's pipes, given to create) are the command's own. Container set-up
 *       (namespaces, mounts, pivot) happens in ch-run after start, as ch-run always does it; what
 *       can be checked before (config.json, root, bind sources) fails {@code create}.</li>
 *   <li><b>State by id.</b> {@link StateDir}: one directory per container id under a per-user
 *       root, claimed by mkdir (a duplicate id, also between concurrent creates, is refused).
 *       Status comes from the pid-file process itself (alive, a zombie, or gone, checked with its
 *       start time against PID reuse) and one marker file written by start.</li>
 *   <li><b>sh where it is hot.</b> Buildah polls {@code state}; a JVM costs 100+ ms of CPU, sh
 *       about 1 ms. The launcher bin/ch-run-oci does {@code state}, {@code start}, {@code kill},
 *       {@code delete} from the files {@link StateDir} writes. Java does {@code create}: reading
 *       config.json with Jackson's streaming parser ({@link Json}, {@link BundleConfig}), the
 *       mapping to ch-run ({@link LaunchPlan}), mount points ({@link MountPoints}), and starting
 *       the process (the JDK passes it stdio only, unlike sh, which cannot close Buildah's leaked
 *       descriptors); an AOT cache trained by {@link Training} halves its start-up.</li>
 *   <li><b>Unprivileged.</b> ch-run makes a user and a mount namespace and maps one id (root
 *       under {@code --seccomp} emulation for uid 0). A private network namespace is honoured,
 *       so that Buildah's network set-up never enters the host's. Everything else a privileged
 *       runtime would do (other namespaces, id maps, cgroups, rlimits, devices, capabilities) is
 *       left out with one debug line each; a terminal and hooks are refused.</li>
 * </ul>
 */
package chj.ocirt;
