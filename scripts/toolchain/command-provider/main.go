// pulumi-resource-command for the trove-region toolchain: the command:local:Command resource and the
// command:local:run function of the @pulumi/command SDK, written for this project on
// pulumi-go-provider's infer API (pulumi-command's own provider module is not served here).
// scripts/pulumi-toolchain.sh builds it in its cache, from a go.mod it writes; command.go holds the
// resource and the function, main.go serves them.
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Set with -ldflags "-X main.version=..." to the version the npm SDK asks the engine for.
var version = "0.0.0-dev"

func newProvider() (p.Provider, error) {
	return infer.NewProviderBuilder().
		WithNamespace("pulumi").
		WithResources(infer.Resource(&Command{})).
		WithFunctions(infer.Function(&Run{})).
		Build()
}

func main() {
	provider, err := newProvider()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.RunProvider(context.Background(), "command", version, provider); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
