/**
 * The Dockerfile language for {@code ch-image build}, pure (no I/O, nothing executed).
 *
 * <ul>
 *   <li>{@link chj.build.dockerfile.Dockerfile#parse}: text → stages of typed {@link
 *       chj.build.dockerfile.Instruction}s, with Docker's lexical rules (directives, comments,
 *       continuations, heredocs, exec and shell forms, builder flags). Errors are {@link
 *       chj.build.dockerfile.ParseException}s with {@code file:line:column} and a caret.
 *   <li>{@link chj.build.dockerfile.BuildPlan#create}: global ARGs, FROM substitution, stage
 *       dependencies, {@code --target}, unused {@code --build-arg} check.
 *   <li>{@link chj.build.dockerfile.StageBuild#apply}: per instruction, the substituted {@link
 *       chj.build.dockerfile.Step} for the executor, the new {@link chj.build.dockerfile.ConfigState}
 *       and a {@link chj.build.dockerfile.HistoryEntry}.
 *   <li>{@link chj.build.dockerfile.ShellLexer}: Docker's variable substitution on its own.
 *   <li>{@link chj.build.dockerfile.TagInference}: the image name when {@code -t} is absent.
 * </ul>
 */
package chj.build.dockerfile;
