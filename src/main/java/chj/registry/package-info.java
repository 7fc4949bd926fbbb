/**
 * Client for the OCI distribution API, pull and push, made for registries as they are.
 *
 * <p>Entry point: {@link chj.registry.RegistryClient}, configured by {@link chj.registry.RegistryOptions}.
 * The CLI supplies a {@link chj.registry.RegistryLog} (verbosity levels, never secrets) and a
 * {@link chj.registry.CredentialSource}: {@link chj.registry.CredentialSource#none()} for anonymous
 * pulls, or {@link chj.registry.CredentialChain#standard} (always for pushes: environment, Docker config and credential
 * helpers, containers auth.json, ~/.netrc). Every failure is a {@link chj.registry.RegistryException}
 * with a one-line message and an optional hint; {@link chj.registry.NotFoundException},
 * {@link chj.registry.AuthException} and {@link chj.registry.DigestMismatchException} refine it.
 *
 * <p>Inside: {@code HttpTransport} (one exchange, HTTPS/HTTP choice, logging), {@code RequestExecutor}
 * (auth, redirects, retries, per-registry connection cap), {@code Authenticator} (Bearer/Basic state
 * machine, token cache), {@code BlobDownloader} and {@code RangedDownload} (streaming, resume,
 * parallel Range parts, verification), {@code BlobUploader} (HEAD, mount, choice of upload style
 * remembered per registry), {@code BlobTransfer} and {@code UploadSession} (single PUT or PATCH
 * chunks from a {@code FileSlice}, resumed from the session's upload status).
 */
package chj.registry;
