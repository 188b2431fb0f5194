package taurusjob

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// instanceBodyEchoing is an answer of svc's instance API for id whose
// every string (name, status, actions, node fields) is the secrets,
// JSON-escaped so that no byte-level search finds them.
func instanceBodyEchoing(svc Service, id string, secrets []string) string {
	all := jsonEscapeAll(strings.Join(secrets, " "))
	node := fmt.Sprintf(`{"id":"%s","name":"%s","role":"%s","type":"%s","status":"%s"}`, all, all, all, all, all)
	inst := fmt.Sprintf(`{"id":%q,"name":"%s","status":"%s","actions":["%s"],"nodes":[%s],"groups":[{"nodes":[%s]}],"note":"%s"}`,
		id, all, all, all, node, node, all)
	if svc == ServiceTaurusDB {
		return `{"instance":` + inst + `}`
	}
	return `{"instances":[` + inst + `],"total_count":1}`
}

// TestCredentialEchoedIntoTheInstance: GetInstance keeps GetJob's promise.
// An instance answer that carries the request's credentials JSON-escaped
// decodes into them in clear; no field of the InstanceInfo (name, status,
// actions, every node field), nor Raw (printed by --output json), nor the
// InstanceError a wait builds from it, shows any 12-byte piece of any
// credential, for every service and every kind of credential.
func TestCredentialEchoedIntoTheInstance(t *testing.T) {
	for _, svc := range Services() {
		for _, cc := range credentialCases {
			t.Run(svc.String()+"/"+cc.name, func(t *testing.T) {
				var sent []string
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					secrets := requestSecrets(r)
					sent = append(sent, secrets...)
					fmt.Fprint(w, instanceBodyEchoing(svc, ddsInstanceID, secrets))
				})
				c := newTestClient(t, srv.URL, func(cfg *ClientConfig) {
					cfg.Service = svc
					if cc.edit != nil {
						cc.edit(cfg)
					}
				})
				info, err := c.GetInstance(context.Background(), ddsInstanceID)
				if err != nil {
					t.Fatal(err)
				}
				secrets := append(sent, cc.secrets...)
				texts := map[string]string{"name": info.Name, "status": info.Status, "raw": string(info.Raw),
					"info %+v": fmt.Sprintf("%+v", info), "info %#v": fmt.Sprintf("%#v", info),
					"failure": (&InstanceError{InstanceID: info.ID, Instance: info, Status: info.Status}).Error()}
				for i, n := range info.Nodes {
					texts[fmt.Sprint("node ", i)] = n.ID + " " + n.Name + " " + n.Role + " " + n.Status
				}
				for where, text := range texts {
					secretcheck.Assert(t, where, text, secrets...)
				}
				if !json.Valid(info.Raw) || !strings.Contains(info.Name, "[REDACTED]") || len(info.Nodes) == 0 {
					t.Errorf("Raw %s, name %q, %d nodes: want Raw still JSON, the secret replaced, the nodes kept", info.Raw, info.Name, len(info.Nodes))
				}
			})
		}
	}
}

// TestCredentialEchoedInInstanceErrors: the error answers GetInstance
// reads (a 404 and DDS's 400, both read as "not found" with the
// *APIError inside; a 500; a detail of another id, which GetInstance
// quotes) never show a piece of the credentials the request carried, in
// clear or escaped, in the error text or the *APIError's fields.
func TestCredentialEchoedInInstanceErrors(t *testing.T) {
	tests := []struct {
		name    string
		service Service
		status  int
		body    func(all, escaped string) string
	}{
		{"TaurusDB 404", ServiceTaurusDB, 404, func(all, esc string) string {
			return fmt.Sprintf(`{"error_code":"DBS.200823","error_msg":"no instance for %s"}`, all)
		}},
		{"DDS 400 DBS.280110", ServiceDDS, 400, func(all, esc string) string {
			return fmt.Sprintf(`{"error_code":"DBS.280110","error_msg":"%s","request_id":"%s"}`, esc, all)
		}},
		{"RDS 500", ServiceRDS, 500, func(all, esc string) string {
			return fmt.Sprintf(`{"error_code":"DBS.200500","error_msg":"%s"}`, all)
		}},
		{"TaurusDB detail of another id", ServiceTaurusDB, 200, func(all, esc string) string {
			return fmt.Sprintf(`{"instance":{"id":"%s","status":"ACTIVE"}}`, esc)
		}},
		{"openGauss list of others", ServiceOpenGauss, 200, func(all, esc string) string {
			return fmt.Sprintf(`{"instances":[{"id":"%s","name":"%s"}]}`, esc, esc)
		}},
	}
	for _, tt := range tests {
		for _, cc := range credentialCases {
			t.Run(tt.name+"/"+cc.name, func(t *testing.T) {
				var sent []string
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					secrets := requestSecrets(r)
					sent = append(sent, secrets...)
					all := strings.Join(secrets, " ")
					w.Header().Set("X-Request-Id", secrets[0])
					w.WriteHeader(tt.status)
					fmt.Fprint(w, tt.body(all, jsonEscapeAll(all)))
				})
				c := newTestClient(t, srv.URL, func(cfg *ClientConfig) {
					cfg.Service = tt.service
					if cc.edit != nil {
						cc.edit(cfg)
					}
				})
				info, err := c.GetInstance(context.Background(), ddsInstanceID)
				if err == nil {
					t.Fatalf("got %+v, want an error", info)
				}
				secrets := append(sent, cc.secrets...)
				secretcheck.AssertError(t, "GetInstance", err, secrets...)
				ae := asAPIError(t, err)
				secretcheck.Assert(t, "APIError fields", fmt.Sprintf("%#v", *ae), secrets...)
			})
		}
	}
}
