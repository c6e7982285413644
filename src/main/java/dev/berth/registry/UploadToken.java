package dev.berth.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code _state} query parameter of upload URLs: Distribution's format, base64url(HMAC-SHA256 ||
 * JSON{Name, UUID, Offset, StartedAt}), so a URL whose name, upload or offset was changed is refused.
 */
public final class UploadToken {

    private static final int MAC_LENGTH = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record State(@JsonProperty("Name") String name, @JsonProperty("UUID") String uuid,
            @JsonProperty("Offset") long offset, @JsonProperty("StartedAt") String startedAt) {
    }

    private final SecretKeySpec key;

    public UploadToken(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String seal(State state) {
        try {
            byte[] json = JSON.writeValueAsBytes(state);
            byte[] mac = mac(json);
            byte[] out = Arrays.copyOf(mac, mac.length + json.length);
            System.arraycopy(json, 0, out, mac.length, json.length);
            return Base64.getUrlEncoder().encodeToString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The state in {@code token}; BLOB_UPLOAD_INVALID when it is malformed or was tampered with. */
    public State open(String token) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (raw.length <= MAC_LENGTH) {
            throw invalid();
        }
        byte[] json = Arrays.copyOfRange(raw, MAC_LENGTH, raw.length);
        if (!MessageDigest.isEqual(Arrays.copyOf(raw, MAC_LENGTH), mac(json))) {
            throw invalid();
        }
        try {
            return JSON.readValue(json, State.class);
        } catch (IOException e) {
            throw invalid();
        }
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RegistryException invalid() {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "blob upload invalid: bad or tampered upload state");
    }

    static String now() {
        return Instant.now().toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
