// pulumi-resource-openstack, bridged here from the published Terraform OpenStack provider module,
// because the module proxy this project can reach does not serve pulumi-openstack's own provider
// module. It maps the Terraform resources and data sources the trove-region package uses to the
// tokens of the @pulumi/openstack SDK in package.json; property names follow the bridge's standard
// snake_case to camelCase mapping, as the SDK's do.
package main

import (
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/openstack"
)

// Set with -ldflags "-X main.version=..." to the version the npm SDK asks the engine for.
var version = "0.0.0-dev"

// Terraform type -> Pulumi token, exactly as @pulumi/openstack names them.
var resources = map[string]string{
	"openstack_networking_network_v2":              "openstack:networking/network:Network",
	"openstack_networking_subnet_v2":               "openstack:networking/subnet:Subnet",
	"openstack_networking_router_v2":               "openstack:networking/router:Router",
	"openstack_networking_router_interface_v2":     "openstack:networking/routerInterface:RouterInterface",
	"openstack_networking_secgroup_v2":             "openstack:networking/secGroup:SecGroup",
	"openstack_networking_secgroup_rule_v2":        "openstack:networking/secGroupRule:SecGroupRule",
	"openstack_networking_port_v2":                 "openstack:networking/port:Port",
	"openstack_networking_quota_v2":                "openstack:networking/quotaV2:QuotaV2",
	"openstack_compute_keypair_v2":                 "openstack:compute/keypair:Keypair",
	"openstack_compute_quotaset_v2":                "openstack:compute/quotaSetV2:QuotaSetV2",
	"openstack_blockstorage_quotaset_v3":           "openstack:blockstorage/quoteSetV3:QuoteSetV3",
	"openstack_blockstorage_volume_type_v3":        "openstack:blockstorage/volumeTypeV3:VolumeTypeV3",
	"openstack_blockstorage_volume_type_access_v3": "openstack:blockstorage/volumeTypeAccessV3:VolumeTypeAccessV3",
	"openstack_images_image_v2":                    "openstack:images/image:Image",
	"openstack_identity_project_v3":                "openstack:identity/project:Project",
}

var dataSources = map[string]string{
	"openstack_identity_project_v3":   "openstack:identity/getProject:getProject",
	"openstack_identity_user_v3":      "openstack:identity/getUser:getUser",
	"openstack_identity_auth_scope_v3": "openstack:identity/getAuthScope:getAuthScope",
	"openstack_networking_network_v2": "openstack:networking/getNetwork:getNetwork",
}

func main() {
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(openstack.Provider()),
		Name:        "openstack",
		Version:     version,
		Resources:   map[string]*tfbridge.ResourceInfo{},
		DataSources: map[string]*tfbridge.DataSourceInfo{},
	}
	for tf, tok := range resources {
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: tokens.Type(tok)}
	}
	for tf, tok := range dataSources {
		info.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember(tok)}
	}
	if len(os.Args) > 1 && os.Args[1] == "--tokens" {
		for tf, tok := range resources {
			println(tf, tok)
		}
		return
	}
	// The engine asks a provider for its schema only for code generation, which this build is not for.
	tfbridge.Main("openstack", version, info, []byte(`{"name":"openstack"}`))
}
