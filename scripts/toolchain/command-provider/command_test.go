package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func ptr[T any](v T) *T { return &v }

// ---- Diff: which input changes replace the command and which update it ----

func TestDiff(t *testing.T) {
	old := CommandArgs{
		CommonArgs: CommonArgs{Dir: ptr("/src"), Environment: map[string]string{"A": "1"}, Interpreter: []string{"/bin/bash", "-c"}},
		Create:     ptr("make"), Delete: ptr("make clean"),
		Triggers: []any{"hash-1", map[string]any{"image": "a"}},
	}
	const replace, update = p.UpdateReplace, p.Update
	for _, tc := range []struct {
		name   string
		change func(a *CommandArgs)
		want   map[string]p.DiffKind
	}{
		{"no change", func(a *CommandArgs) {}, nil},
		{"a trigger changes", func(a *CommandArgs) { a.Triggers = []any{"hash-2", map[string]any{"image": "a"}} }, map[string]p.DiffKind{"triggers": replace}},
		{"a value nested in a trigger changes", func(a *CommandArgs) { a.Triggers = []any{"hash-1", map[string]any{"image": "b"}} }, map[string]p.DiffKind{"triggers": replace}},
		{"a trigger is added", func(a *CommandArgs) { a.Triggers = append(append([]any{}, old.Triggers...), 3.0) }, map[string]p.DiffKind{"triggers": replace}},
		{"the triggers are removed", func(a *CommandArgs) { a.Triggers = nil }, map[string]p.DiffKind{"triggers": replace}},
		{"create", func(a *CommandArgs) { a.Create = ptr("make all") }, map[string]p.DiffKind{"create": update}},
		{"update", func(a *CommandArgs) { a.Update = ptr("make again") }, map[string]p.DiffKind{"update": update}},
		{"delete", func(a *CommandArgs) { a.Delete = nil }, map[string]p.DiffKind{"delete": update}},
		{"dir", func(a *CommandArgs) { a.Dir = ptr("/elsewhere") }, map[string]p.DiffKind{"dir": update}},
		{"environment", func(a *CommandArgs) { a.Environment = map[string]string{"A": "2"} }, map[string]p.DiffKind{"environment": update}},
		{"interpreter", func(a *CommandArgs) { a.Interpreter = []string{"/bin/sh", "-c"} }, map[string]p.DiffKind{"interpreter": update}},
		{"stdin", func(a *CommandArgs) { a.Stdin = ptr("input") }, map[string]p.DiffKind{"stdin": update}},
		{"assetPaths", func(a *CommandArgs) { a.AssetPaths = []string{"out/*"} }, map[string]p.DiffKind{"assetPaths": update}},
		{"archivePaths", func(a *CommandArgs) { a.ArchivePaths = []string{"out/*"} }, map[string]p.DiffKind{"archivePaths": update}},
		{"create and a trigger", func(a *CommandArgs) { a.Create = ptr("make all"); a.Triggers = []any{"hash-2"} },
			map[string]p.DiffKind{"create": update, "triggers": replace}},
		// The engine sends an absent list, map or string and an empty one alike.
		{"empty instead of absent", func(a *CommandArgs) { a.Update = ptr(""); a.Stdin = ptr(""); a.AssetPaths = []string{} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			news := old
			tc.change(&news)
			resp, err := (&Command{}).Diff(context.Background(), infer.DiffRequest[CommandArgs, CommandState]{
				ID: "build1234", Inputs: news,
				// Outputs are no inputs: a different stdout in the state changes nothing.
				State: CommandState{CommandArgs: old, Stdout: "built", Stderr: "warning"},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]p.DiffKind{}
			for name, d := range resp.DetailedDiff {
				if !d.InputDiff {
					t.Errorf("%s: not marked as an input diff", name)
				}
				got[name] = d.Kind
			}
			if len(tc.want) == 0 && len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("detailed diff = %v, want %v", got, tc.want)
			}
			if resp.HasChanges != (len(tc.want) > 0) {
				t.Errorf("HasChanges = %v, want %v", resp.HasChanges, len(tc.want) > 0)
			}
			// A replacement is created before the old command is deleted (see TestReplace...).
			if resp.DeleteBeforeReplace {
				t.Error("DeleteBeforeReplace is set")
			}
		})
	}
}

func TestDiffAbsentEqualsEmpty(t *testing.T) {
	for _, pair := range [][2]any{
		{nil, []any{}}, {[]any(nil), []any{}}, {map[string]string(nil), map[string]string{}},
		{(*string)(nil), ptr("")}, {[]string(nil), []string{}},
	} {
		if !sameValue(pair[0], pair[1]) || !sameValue(pair[1], pair[0]) {
			t.Errorf("sameValue(%#v, %#v) = false", pair[0], pair[1])
		}
	}
	for _, pair := range [][2]any{
		{[]any{}, []any{""}}, {ptr(""), ptr(" ")}, {map[string]string{}, map[string]string{"A": ""}},
		{[]any{1.0, 2.0}, []any{2.0, 1.0}},
	} {
		if sameValue(pair[0], pair[1]) {
			t.Errorf("sameValue(%#v, %#v) = true", pair[0], pair[1])
		}
	}
}

// ---- Output lines go to the engine's log as they come ----

type recorder struct {
	mu    sync.Mutex
	lines []string
	seen  chan string
}

func newRecorder() *recorder { return &recorder{seen: make(chan string, 100)} }

func (r *recorder) log(line string) {
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
	r.seen <- line
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

func write(t *testing.T, l *lineLogger, s string) {
	t.Helper()
	n, err := l.Write([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("Write(%q) = %d, %v", s, n, err)
	}
}

func expectLines(t *testing.T, r *recorder, want ...string) {
	t.Helper()
	if got := r.got(); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("logged %q, want %q", got, want)
	}
}

func TestLineLoggerSendsEachLineWhenItIsComplete(t *testing.T) {
	r := newRecorder()
	out, _ := lineLoggers(r.log)
	write(t, out, "hel")
	expectLines(t, r)
	write(t, out, "lo\nwor")
	expectLines(t, r, "hello")
	write(t, out, "ld\n\nthree\nfour\n")
	expectLines(t, r, "hello", "world", "", "three", "four")
	out.flush()
	expectLines(t, r, "hello", "world", "", "three", "four")
}

func TestLineLoggerFlushSendsTheLastLineWithoutNewline(t *testing.T) {
	r := newRecorder()
	out, errs := lineLoggers(r.log)
	write(t, out, "done\n50%")
	write(t, errs, "warn")
	expectLines(t, r, "done")
	out.flush()
	errs.flush()
	expectLines(t, r, "done", "50%", "warn")
	out.flush()
	expectLines(t, r, "done", "50%", "warn")
}

func TestLineLoggerKeepsStdoutAndStderrLinesApart(t *testing.T) {
	r := newRecorder()
	out, errs := lineLoggers(r.log)
	write(t, out, "progress: ")
	write(t, errs, "warning: slow disk\n")
	write(t, out, "done\n")
	write(t, errs, "second ")
	write(t, out, "next\n")
	write(t, errs, "warning\n")
	expectLines(t, r, "warning: slow disk", "progress: done", "next", "second warning")
}

// run itself: each line reaches the log while the command is still running (the command below
// waits for the test to have seen its first lines before it ends), stderr too.
func TestRunLogsLinesWhileTheCommandRuns(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "gate")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newRecorder()
	type result struct {
		out, errOut string
		err         error
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, err := run(ctx, r.log, CommonArgs{Environment: map[string]string{"GATE": gate}},
			`echo first; echo oops >&2; while [ ! -e "$GATE" ]; do sleep 0.05; done; printf 'second\nlast'; printf tail >&2`, nil)
		done <- result{out, errOut, err}
	}()
	seen := map[string]bool{}
	for !seen["first"] || !seen["oops"] {
		select {
		case line := <-r.seen:
			seen[line] = true
		case res := <-done:
			t.Fatalf("the command ended (%v) before its first lines were logged: %q", res.err, r.got())
		case <-time.After(20 * time.Second):
			t.Fatalf("first lines not logged while the command runs: %q", r.got())
		}
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.out != "first\nsecond\nlast" || res.errOut != "oops\ntail" {
		t.Errorf("stdout %q, stderr %q", res.out, res.errOut)
	}
	got := r.got()
	// The last lines of stdout and stderr have no newline: they are logged once the command ended.
	if len(got) != 5 || got[2] != "second" || got[3] != "last" || got[4] != "tail" {
		t.Errorf("logged %q, want first and oops (either order), then second, last and tail", got)
	}
}

func TestRunAsTheSDKDocuments(t *testing.T) {
	dir := t.TempDir()
	out, errOut, err := run(context.Background(), func(string) {}, CommonArgs{
		Dir:         &dir,
		Environment: map[string]string{"GREETING": "hello"},
		Interpreter: []string{"/bin/bash", "-c"},
		Stdin:       ptr("from stdin"),
	}, `[ -n "$BASH_VERSION" ] && echo "$GREETING $(cat) in $PWD" && echo "$EXTRA" >&2`, map[string]string{"EXTRA": "extra env"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello from stdin in " + dir; out != want || errOut != "extra env" {
		t.Errorf("stdout %q, stderr %q; want %q, %q", out, errOut, want, "extra env")
	}
	out, errOut, err = run(context.Background(), func(string) {}, CommonArgs{}, "echo partial; echo broken >&2; exit 3", nil)
	if err == nil || out != "partial" || errOut != "broken" {
		t.Fatalf("a failing command: %q, %q, %v", out, errOut, err)
	}
	for _, want := range []string{"exit status 3", "Stdout:\npartial", "Stderr:\nbroken"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, _, err := run(context.Background(), func(string) {}, CommonArgs{AssetPaths: []string{"x"}}, "true", nil); err == nil {
		t.Error("assetPaths accepted")
	}
}

// ---- Replacement, and failures: what the engine gets through the provider's gRPC surface ----

func server(t *testing.T) integration.Server {
	t.Helper()
	prov, err := newProvider()
	if err != nil {
		t.Fatal(err)
	}
	s, err := integration.NewServer(context.Background(), "command", semver.MustParse("4.5.0"), integration.WithProvider(prov))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const commandURN = presource.URN("urn:pulumi:test::test::command:local:Command::build")

func inputs(create string, triggers ...string) property.Map {
	m := map[string]property.Value{"create": property.New(create)}
	if len(triggers) > 0 {
		ts := make([]property.Value, len(triggers))
		for i, tr := range triggers {
			ts[i] = property.New(tr)
		}
		m["triggers"] = property.New(ts)
	}
	return property.NewMap(m)
}

func stdoutOf(t *testing.T, m property.Map) string {
	t.Helper()
	v, ok := m.GetOk("stdout")
	if !ok || !v.IsString() {
		t.Fatalf("no stdout in %v", m)
	}
	return v.AsString()
}

// A trigger change replaces the command: the engine creates the new one first (the diff does not ask
// for delete-before-replace), under an ID of its own, and then deletes the old one, whose delete
// command sees the old command's own output.
func TestReplaceCreatesTheNewCommandBeforeDeletingTheOld(t *testing.T) {
	s := server(t)
	deleted := filepath.Join(t.TempDir(), "deleted")
	withDelete := func(m property.Map) property.Map {
		return m.Set("delete", property.New(`echo "$PULUMI_COMMAND_STDOUT" >> `+deleted))
	}
	oldInputs := withDelete(inputs("echo built v1", "v1"))
	old, err := s.Create(p.CreateRequest{Urn: commandURN, Properties: oldInputs})
	if err != nil {
		t.Fatal(err)
	}
	newInputs := withDelete(inputs("echo built v1", "v2"))
	diff, err := s.Diff(p.DiffRequest{ID: old.ID, Urn: commandURN, State: old.Properties, Inputs: newInputs, OldInputs: oldInputs})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := diff.DetailedDiff["triggers"]; !ok || d.Kind != p.UpdateReplace || !diff.HasChanges || diff.DeleteBeforeReplace || len(diff.DetailedDiff) != 1 {
		t.Fatalf("diff %+v: want a create-before-delete replacement for triggers only", diff)
	}
	replacement, err := s.Create(p.CreateRequest{Urn: commandURN, Properties: newInputs})
	if err != nil {
		t.Fatal(err)
	}
	if replacement.ID == old.ID || !strings.HasPrefix(replacement.ID, "build") {
		t.Errorf("replacement ID %q, old %q: both must exist side by side until the old one is deleted", replacement.ID, old.ID)
	}
	if _, err := os.Stat(deleted); !os.IsNotExist(err) {
		t.Fatalf("something was deleted before the engine asked: %v", err)
	}
	if err := s.Delete(p.DeleteRequest{ID: old.ID, Urn: commandURN, Properties: old.Properties, OldInputs: oldInputs}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(deleted); err != nil || string(b) != "built v1\n" {
		t.Errorf("delete ran with %q (%v), want the old command's stdout", b, err)
	}
}

// A failed create returns no ID and no outputs, and no partial state: the engine records nothing,
// so in a replacement the old command is kept (it is deleted only after the new one was created).
func TestFailedCreateRecordsNothing(t *testing.T) {
	s := server(t)
	resp, err := s.Create(p.CreateRequest{Urn: commandURN, Properties: inputs("echo half done; exit 3", "v2")})
	if err == nil || !strings.Contains(err.Error(), "half done") {
		t.Fatalf("error %v, want the command's failure with its output", err)
	}
	if resp.ID != "" || resp.Properties.Len() != 0 || resp.PartialState != nil {
		t.Errorf("a failed create returned %+v", resp)
	}
	// A preview runs nothing: stdout is not known yet.
	ran := filepath.Join(t.TempDir(), "ran")
	preview, err := s.Create(p.CreateRequest{Urn: commandURN, Properties: inputs("touch " + ran + "; exit 3"), DryRun: true})
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if _, err := os.Stat(ran); !os.IsNotExist(err) {
		t.Errorf("the preview ran the command: %v", err)
	}
	if !preview.Properties.Get("stdout").IsComputed() {
		t.Errorf("stdout in the preview: %v", preview.Properties.Get("stdout"))
	}
}

// An update writes its outputs only when its command succeeds: a failed one returns nothing, so the
// engine keeps the old state (inputs and stdout) and the next `up` runs it again.
func TestFailedUpdateKeepsTheOldState(t *testing.T) {
	s := server(t)
	oldInputs := inputs("echo v1")
	old, err := s.Create(p.CreateRequest{Urn: commandURN, Properties: oldInputs})
	if err != nil {
		t.Fatal(err)
	}
	if got := stdoutOf(t, old.Properties); got != "v1" {
		t.Fatalf("stdout %q", got)
	}
	update := func(create string, dryRun bool) (p.UpdateResponse, error) {
		return s.Update(p.UpdateRequest{ID: old.ID, Urn: commandURN, State: old.Properties, OldInputs: oldInputs, Inputs: inputs(create), DryRun: dryRun})
	}
	failed, err := update("echo v2; exit 4", false)
	if err == nil {
		t.Fatal("a failing update succeeded")
	}
	if failed.Properties.Len() != 0 || failed.PartialState != nil {
		t.Errorf("a failed update returned %+v", failed)
	}
	ran := filepath.Join(t.TempDir(), "ran")
	preview, err := update("touch "+ran+"; echo v2", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ran); !os.IsNotExist(err) {
		t.Errorf("the preview ran the command: %v", err)
	}
	if !preview.Properties.Get("stdout").IsComputed() {
		t.Errorf("stdout in the preview of an update: %v", preview.Properties.Get("stdout"))
	}
	done, err := update("echo v2", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := stdoutOf(t, done.Properties); got != "v2" {
		t.Errorf("stdout after the update: %q", got)
	}
}
