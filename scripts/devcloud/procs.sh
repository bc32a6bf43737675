# Sourced by scripts/devcloud.sh and scripts/devcloud/swift.sh: the dev cloud's own processes.
# Each is started in its own session (setsid), so its pid is its process group; stopping signals
# the group. A pid file counts only while that pid runs a command line naming $PROCS_DIR (a reused
# pid after a reboot is never ours). The sourcing script sets PROCS_DIR (its state directory, with
# run/ and log/ in it) and defines say().
pidfile() { echo "$PROCS_DIR/run/$1.pid"; }
ours() {
    local f pid
    f=$(pidfile "$1")
    [ -f "$f" ] || return 1
    pid=$(cat "$f")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PROCS_DIR"
}
start_proc() { # name command...: start it unless it runs; output to log/<name>.log
    local name=$1
    shift
    if ours "$name"; then return 0; fi
    setsid "$@" >>"$PROCS_DIR/log/$name.log" 2>&1 </dev/null 9>&- & # 9: a caller's lock, not to be inherited
    echo $! >"$(pidfile "$name")"
}
stop_procs() { # names...: TERM each group, wait, then KILL what is left
    local name pid pids=() deadline
    for name in "$@"; do
        if ours "$name"; then
            pid=$(cat "$(pidfile "$name")")
            kill -TERM -- "-$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    deadline=$(($(date +%s) + 20))
    for pid in "${pids[@]}"; do
        while kill -0 -- "-$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 -- "-$pid" 2>/dev/null; then
            say "process group $pid did not stop on TERM: KILL"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    for name in "$@"; do rm -f "$(pidfile "$name")"; done
}
