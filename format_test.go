package taurusjob

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// A Client or a ClientConfig printed by mistake (a debug log, %+v in an
// error) shows no token, SK or security token, whatever the verb.
func TestFormatHidesSecrets(t *testing.T) {
	const token, sk, sts = "SENTINEL-TOKEN-5f0c3e9a", "SENTINEL-SK-91ab7d2c", "SENTINEL-STS-77cd0b4e"
	tokenCfg := ClientConfig{Endpoint: "https://gaussdb.cn-north-4.myhuaweicloud.com", ProjectID: strings.Repeat("a", 32), Token: token}
	akskCfg := ClientConfig{Endpoint: tokenCfg.Endpoint, ProjectID: tokenCfg.ProjectID, AccessKey: "AKEXAMPLE", SecretKey: sk, SecurityToken: sts}
	srcCfg := tokenCfg
	srcCfg.Token, srcCfg.TokenSource = "", func(context.Context) (string, error) { return token, nil }
	var printed []string
	for _, cfg := range []ClientConfig{tokenCfg, akskCfg, srcCfg} {
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.TokenSource != nil {
			c.currentToken(context.Background(), "") // the source's token is now cached in c
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			printed = append(printed, fmt.Sprintf(verb, c), fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg),
				fmt.Sprintf(verb, struct{ Config ClientConfig }{cfg}))
		}
	}
	for i, p := range printed {
		secretcheck.Assert(t, fmt.Sprintf("print %d", i), p, token, sk, sts)
	}
	if !strings.Contains(fmt.Sprint(akskCfg), "AKEXAMPLE") || !strings.Contains(fmt.Sprint(tokenCfg), "[REDACTED]") {
		t.Errorf("the config print hides what is not secret, or does not say a secret is set: %v", akskCfg)
	}
}
