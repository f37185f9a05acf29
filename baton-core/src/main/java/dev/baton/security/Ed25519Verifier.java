package dev.baton.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * EdDSA (Ed25519) signature checks with the JDK's own {@code Signature}, for
 * nimbus, whose own EdDSA verifier needs Tink. Only {@code EdDSA} is accepted.
 */
final class Ed25519Verifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    Ed25519Verifier(PublicKey key) {
        this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature.decode());
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
