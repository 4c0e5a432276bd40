// Tests only: a self-signed certificate for 127.0.0.1 and localhost (P-256, valid until 2126), made
// with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
// -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost`. Not a secret: it guards
// nothing; the https tests use it to prove certificates are verified.

/** The certificate (PEM). */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUJcTZHHLY5q2v+VzBPMz08V/4cwAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMzE3NDEyMVoYDzIxMjYxMDMw
MTc0MTIxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARPaU2NXUfS09HQOs2HBwjAvlub2Bs2bCN/M0YLYC09pe8lLAtXwwvV
wlot4Qnsl3x6o5YIk/Hu4vQHjtmKla89o28wbTAdBgNVHQ4EFgQUv6gt0T1X0NHj
N81ucyOtXCx/DGIwHwYDVR0jBBgwFoAUv6gt0T1X0NHjN81ucyOtXCx/DGIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAOarSpOIX22O0eD4GrXSCHY2CtWlB70cPCWt9Jk2uD60AiEA
uPZoxugjv8waTVxzO/lJx2K75cr1PIVOijzxrxBpV0E=
-----END CERTIFICATE-----
`;

/** Its private key (PEM). */
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/ugOjDuPeepcLIx5
nkv/+U8B/79W3I4fFy9KMf+k2HyhRANCAARPaU2NXUfS09HQOs2HBwjAvlub2Bs2
bCN/M0YLYC09pe8lLAtXwwvVwlot4Qnsl3x6o5YIk/Hu4vQHjtmKla89
-----END PRIVATE KEY-----
`;
