# Sourced by the chj launchers (POSIX sh). Finds the install and a JDK 25.
# Sets CHJ_HOME (the install: bin/ and target/ below it) and CHJ_JAVA (java binary).

chj_fail () {
    echo "${0##*/}: error: $*" 1>&2
    exit 1
}

# Resolve our own directory without readlink -f (not POSIX) where possible.
chj_bin=${0%/*}
[ "$chj_bin" = "$0" ] && chj_bin=.
case $chj_bin in
    /*/bin) CHJ_HOME=${chj_bin%/bin} ;;     # the usual case, without a fork (ch-run start-up)
    *) CHJ_HOME=$(cd "$chj_bin/.." && pwd -P) || chj_fail "can't find chj install directory" ;;
esac
CHJ_JAR=$CHJ_HOME/target/chj.jar
[ -f "$CHJ_JAR" ] || chj_fail "$CHJ_JAR not found (hint: run 'mvn -q package -DskipTests' in $CHJ_HOME)"

# A java is good if it is version 25 or newer. Checking costs a JVM start, so
# trust the usual places by their name first and only probe JAVA_HOME.
chj_java_ok () {
    [ -x "$1" ] || return 1
    v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
    [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}
if [ -n "${CHJ_JAVA:-}" ]; then
    :
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] \
     && case $JAVA_HOME in *25*|*26*|*27*) true ;; *) chj_java_ok "$JAVA_HOME/bin/java" ;; esac; then
    CHJ_JAVA=$JAVA_HOME/bin/java
else
    for d in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* \
             /usr/lib/jvm/temurin-2[6-9]-* /usr/lib/jvm/java-2[6-9]-*; do
        if [ -x "$d/bin/java" ]; then CHJ_JAVA=$d/bin/java; break; fi
    done
    if [ -z "${CHJ_JAVA:-}" ] && command -v java >/dev/null 2>&1 && chj_java_ok "$(command -v java)"; then
        CHJ_JAVA=$(command -v java)
    fi
fi
[ -n "${CHJ_JAVA:-}" ] || chj_fail "no JDK 25 found (hint: set JAVA_HOME to a JDK 25 or newer)"

# The JVM names files in the encoding of the locale it starts in: under LANG=C (common in batch
# jobs) it can't create a non-ASCII file name from an image. Commands that write image trees call
# this; ch-run doesn't (it passes the caller's locale to the container command untouched).
chj_utf8_locale () {
    case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in
        *.UTF-8|*.utf8|*.UTF8|*.utf-8) ;;
        *) LC_ALL=C.UTF-8; export LC_ALL ;;
    esac
}

# chj_aot NAME JVM_FLAGS TRAINING_MAIN: sets chj_aot_opts to use a JDK AOT cache of this jar, JDK
# and launcher (their checksums, and the jars' mtimes and sizes, name it, so it is never stale), making it first by running
# TRAINING_MAIN (which must exit normally) in the background. Any trouble: no cache, never a
# failure. CHJ_AOT=0: off.
chj_aot () {
    chj_aot_opts=
    [ "${CHJ_AOT:-1}" != 0 ] && [ -n "${HOME:-}${XDG_CACHE_HOME:-}" ] || return 0
    # The JVM refuses a cache whose jars' mtime or size differ from the training's (a reinstall of
    # the same bytes): they are part of the key too, or such a cache would go unused for good.
    # shellcheck disable=SC2046
    set -- "$@" $(cksum "$CHJ_JAR" "${CHJ_JAVA%/bin/java}/release" "$0" 2>/dev/null) \
        $(stat -L -c '%Y %s %n' "$CHJ_JAR" "${CHJ_JAR%/*}"/lib/*.jar 2>/dev/null | cksum)
    [ $# -eq 14 ] || return 0
    f=${XDG_CACHE_HOME:-$HOME/.cache}/chj/$1-$4-$5-$7-${10}-${13}.aot
    # A training that failed (e.g. the JDK crashed dumping the cache) is not tried again for this
    # key: every command would start it anew in the background.
    if [ ! -f "$f" ] && [ ! -f "$f.failed" ]; then
        mkdir -p "${f%/*}" 2>/dev/null || return 0
        if mkdir "$f.lock" 2>/dev/null; then
            # in the background: this command runs now without the cache, later ones with it
            (
                # shellcheck disable=SC2086
                "$CHJ_JAVA" $2 -XX:AOTCacheOutput="$f.$$.tmp" -XX:ErrorFile="$f.$$.crash" -Xlog:disable \
                    -Xlog:all=off -cp "$CHJ_JAR" "$3"
                rc=$?
                if [ $rc -eq 0 ] && [ -s "$f.$$.tmp" ]; then
                    mv -f "$f.$$.tmp" "$f"
                    find "${f%/*}" -maxdepth 1 -name "$1-*.aot*" -mtime +30 -delete
                elif [ $rc -eq 0 ] || [ -f "$f.$$.crash" ]; then
                    # The JVM could not write the cache (its crash report, if any, is kept as the
                    # marker: a hint for bug reports). A training that was killed tries again.
                    mv -f "$f.$$.crash" "$f.failed" 2>/dev/null || : > "$f.failed"
                fi
                rm -rf "$f.$$.tmp" "$f.$$.tmp.config" "$f.$$.crash" "$f.lock"
            ) </dev/null >/dev/null 2>&1 &
        elif [ -n "$(find "$f.lock" -maxdepth 0 -mmin +2 2>/dev/null)" ]; then
            rmdir "$f.lock" 2>/dev/null   # a trainer died; the next run tries again
        fi
    fi
    [ -f "$f" ] && chj_aot_opts="-XX:AOTCache=$f -Xlog:aot=off -Xlog:cds=off"
    return 0
}
