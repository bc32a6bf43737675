// The command:local:Command resource and the command:local:run function: how a command runs, how its
// output reaches the engine's log, and how a change of inputs is diffed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

type CommonArgs struct {
	Dir          *string           `pulumi:"dir,optional"`
	Environment  map[string]string `pulumi:"environment,optional"`
	Interpreter  []string          `pulumi:"interpreter,optional"`
	Stdin        *string           `pulumi:"stdin,optional"`
	AssetPaths   []string          `pulumi:"assetPaths,optional"`
	ArchivePaths []string          `pulumi:"archivePaths,optional"`
}

type Command struct{}

type CommandArgs struct {
	CommonArgs
	Create   *string `pulumi:"create,optional"`
	Update   *string `pulumi:"update,optional"`
	Delete   *string `pulumi:"delete,optional"`
	Triggers []any   `pulumi:"triggers,optional" provider:"replaceOnChanges"`
}

type CommandState struct {
	CommandArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *Command) Annotate(a infer.Annotator) { a.SetToken("local", "Command") }

// run runs one command as the SDK documents: through the interpreter (default /bin/sh -c), in dir,
// with the provider's environment plus the given one; stdout and stderr lose one trailing newline.
// Each output line also goes to log (the engine's log: p.GetLogger(ctx).Info) as it comes.
func run(ctx context.Context, log func(string), args CommonArgs, command string, extraEnv map[string]string) (string, string, error) {
	if len(args.AssetPaths) > 0 || len(args.ArchivePaths) > 0 {
		return "", "", fmt.Errorf("assetPaths and archivePaths are not supported by this build of pulumi-resource-command")
	}
	interpreter := args.Interpreter
	if len(interpreter) == 0 {
		interpreter = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interpreter[0], append(append([]string{}, interpreter[1:]...), command)...)
	if args.Dir != nil {
		cmd.Dir = *args.Dir
	}
	cmd.Env = os.Environ()
	for _, env := range []map[string]string{args.Environment, extraEnv} {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+env[k])
		}
	}
	if args.Stdin != nil {
		cmd.Stdin = strings.NewReader(*args.Stdin)
	}
	var stdout, stderr bytes.Buffer
	// Each line also goes to the engine's log as it comes, so a long build shows its progress.
	outLog, errLog := lineLoggers(log)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, outLog), io.MultiWriter(&stderr, errLog)
	err := cmd.Run()
	outLog.flush()
	errLog.flush()
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%s: %w: running %q:\nStdout:\n%s\nStderr:\n%s", interpreter[0], err, command, out, errOut)
	}
	return out, errOut, nil
}

// lineLogger sends whole lines to the engine's log as they come. stdout and stderr have one each, so
// a partial line of one is never glued to a line of the other; the two share a lock, so the log gets
// whole lines one at a time, in the order they were completed.
type lineLogger struct {
	log     func(string)
	mu      *sync.Mutex
	pending []byte
}

// lineLoggers returns the loggers of one command's stdout and stderr.
func lineLoggers(log func(string)) (stdout, stderr *lineLogger) {
	mu := &sync.Mutex{}
	return &lineLogger{log: log, mu: mu}, &lineLogger{log: log, mu: mu}
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, b...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.log(string(l.pending[:i]))
		l.pending = l.pending[i+1:]
	}
}

// flush sends what is left of a last line without a newline, once the command has ended.
func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) > 0 {
		l.log(string(l.pending))
		l.pending = nil
	}
}

// Diff as the SDK documents Command: a change of triggers replaces it (running delete for the old
// one and create for the new), any other input change updates it. pulumi-go-provider's own diff
// misses the replacement when an element inside the triggers list changes.
func (c *Command) Diff(ctx context.Context, req infer.DiffRequest[CommandArgs, CommandState]) (infer.DiffResponse, error) {
	olds, news := req.State.CommandArgs, req.Inputs
	diff := map[string]p.PropertyDiff{}
	if !sameValue(olds.Triggers, news.Triggers) {
		diff["triggers"] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
	}
	for name, pair := range map[string][2]any{
		"create": {olds.Create, news.Create}, "update": {olds.Update, news.Update}, "delete": {olds.Delete, news.Delete},
		"dir": {olds.Dir, news.Dir}, "environment": {olds.Environment, news.Environment},
		"interpreter": {olds.Interpreter, news.Interpreter}, "stdin": {olds.Stdin, news.Stdin},
		"assetPaths": {olds.AssetPaths, news.AssetPaths}, "archivePaths": {olds.ArchivePaths, news.ArchivePaths},
	} {
		if !sameValue(pair[0], pair[1]) {
			diff[name] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
		}
	}
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff}, nil
}

// sameValue compares two inputs as the engine would see them: an absent list, map or string is the
// same as an empty one.
func sameValue(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	empty := func(j []byte) bool { s := string(j); return s == "null" || s == "[]" || s == "{}" || s == `""` }
	return bytes.Equal(ja, jb) || (empty(ja) && empty(jb))
}

func (c *Command) Create(ctx context.Context, req infer.CreateRequest[CommandArgs]) (infer.CreateResponse[CommandState], error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	resp := infer.CreateResponse[CommandState]{ID: req.Name + hex.EncodeToString(suffix), Output: CommandState{CommandArgs: req.Inputs}}
	if req.DryRun || req.Inputs.Create == nil {
		return resp, nil
	}
	var err error
	resp.Output.Stdout, resp.Output.Stderr, err = run(ctx, p.GetLogger(ctx).Info, req.Inputs.CommonArgs, *req.Inputs.Create, nil)
	return resp, err
}

func (c *Command) Update(ctx context.Context, req infer.UpdateRequest[CommandArgs, CommandState]) (infer.UpdateResponse[CommandState], error) {
	resp := infer.UpdateResponse[CommandState]{Output: CommandState{CommandArgs: req.Inputs, Stdout: req.State.Stdout, Stderr: req.State.Stderr}}
	if req.DryRun {
		return resp, nil
	}
	command := req.Inputs.Update
	if command == nil {
		command = req.Inputs.Create
	}
	if command == nil {
		return resp, nil
	}
	var err error
	resp.Output.Stdout, resp.Output.Stderr, err = run(ctx, p.GetLogger(ctx).Info, req.Inputs.CommonArgs, *command, nil)
	return resp, err
}

func (c *Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandState]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, _, err := run(ctx, p.GetLogger(ctx).Info, req.State.CommonArgs, *req.State.Delete,
		map[string]string{"PULUMI_COMMAND_STDOUT": req.State.Stdout, "PULUMI_COMMAND_STDERR": req.State.Stderr})
	return infer.DeleteResponse{}, err
}

type Run struct{}

type RunArgs struct {
	CommonArgs
	Command string `pulumi:"command"`
}

type RunResult struct {
	RunArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (r *Run) Annotate(a infer.Annotator) { a.SetToken("local", "run") }

func (r *Run) Invoke(ctx context.Context, req infer.FunctionRequest[RunArgs]) (infer.FunctionResponse[RunResult], error) {
	out, errOut, err := run(ctx, p.GetLogger(ctx).Info, req.Input.CommonArgs, req.Input.Command, nil)
	return infer.FunctionResponse[RunResult]{Output: RunResult{RunArgs: req.Input, Stdout: out, Stderr: errOut}}, err
}
