package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;

import java.util.Base64;
import java.util.List;

/**
 * The admin API's replies (protobuf messages) as the JSON the admin panel reads: each field
 * under its JSON name (camelCase), scalars with their defaults (so that the page never has to
 * know protobuf's rules), nested messages only when set, repeated fields as arrays (empty
 * included), enums by name, bytes in base64, 64-bit numbers as JSON numbers (every one the
 * server sends, times in milliseconds and sizes in bytes, is far below 2^53). A oneof's
 * unset members are left out.
 *
 * <p>Stateless; called on the panel's worker tasks.
 */
final class ProtoJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ProtoJson() {
    }

    static ObjectNode toJson(MessageOrBuilder m) {
        ObjectNode o = F.objectNode();
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.isRepeated()) {
                ArrayNode a = o.putArray(f.getJsonName());
                for (Object v : (List<?>) m.getField(f)) {
                    a.add(value(f, v));
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE || f.getContainingOneof() != null) {
                if (m.hasField(f)) {
                    o.set(f.getJsonName(), value(f, m.getField(f)));
                }
            } else {
                o.set(f.getJsonName(), value(f, m.getField(f)));
            }
        }
        return o;
    }

    private static JsonNode value(FieldDescriptor f, Object v) {
        switch (f.getJavaType()) {
            case MESSAGE:
                return toJson((MessageOrBuilder) v);
            case ENUM:
                return F.textNode(((EnumValueDescriptor) v).getName());
            case BYTE_STRING:
                return F.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case BOOLEAN:
                return F.booleanNode((Boolean) v);
            case STRING:
                return F.textNode((String) v);
            case INT:
                // uint32 comes as a signed int: read it unsigned
                return F.numberNode(f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32
                        ? Integer.toUnsignedLong((Integer) v) : (long) (Integer) v);
            case LONG:
                return F.numberNode((Long) v);
            case FLOAT:
            case DOUBLE: {
                double d = ((Number) v).doubleValue();
                return Double.isFinite(d) ? F.numberNode(d) : F.nullNode();
            }
            default:
                return F.textNode(String.valueOf(v));
        }
    }
}
