package taurusjob

import "fmt"

// Format prints a Client without its credentials, whatever the verb: a
// Client logged by mistake must not leak a token or a key.
func (c *Client) Format(f fmt.State, verb rune) {
	if c == nil {
		fmt.Fprint(f, "taurusjob.Client(nil)")
		return
	}
	fmt.Fprintf(f, "taurusjob.Client{endpoint: %s, project: %s}", c.base.Host, c.projectID)
}

// Format prints a ClientConfig with its secrets (Token, SecretKey,
// SecurityToken) replaced by "[REDACTED]" when set, whatever the verb.
func (cfg ClientConfig) Format(f fmt.State, verb rune) {
	hide := func(s string) string {
		if s == "" {
			return `""`
		}
		return "[REDACTED]"
	}
	fmt.Fprintf(f, "taurusjob.ClientConfig{Endpoint: %q, ProjectID: %q, Token: %s, TokenSource: %v, AccessKey: %q, SecretKey: %s, SecurityToken: %s, Language: %q}",
		cfg.Endpoint, cfg.ProjectID, hide(cfg.Token), cfg.TokenSource != nil, cfg.AccessKey, hide(cfg.SecretKey), hide(cfg.SecurityToken), cfg.Language)
}
