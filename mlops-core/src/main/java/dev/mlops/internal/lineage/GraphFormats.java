package dev.mlops.internal.lineage;

import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeKind;
import dev.mlops.lineage.NodeRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders a {@link LineageGraph} as Graphviz DOT or as a Mermaid flowchart. Pure functions of the graph (no store
 * access): the same graph gives the same text. Nodes and edges are written in the graph's order; an edge whose end
 * is not among the graph's nodes still gets that end declared, so the output never refers to an undeclared node.
 * Stateless and thread-safe.
 */
final class GraphFormats {
    /** How many hex digits of a digest a label shows. */
    static final int SHORT_DIGEST = 12;
    /** The longest name part of a Mermaid node id. */
    private static final int MERMAID_NAME_PART = 40;

    private GraphFormats() {
    }

    // ---- DOT ----------------------------------------------------------------------------------------------------

    /**
     * The graph as a Graphviz {@code digraph}. Node names are the node ids, double-quoted, with {@code "} and
     * {@code \} escaped; labels are escaped the same way (line breaks become {@code \n}), so no name can end a
     * string early or inject an attribute or a Graphviz escape such as {@code \N}. Shapes: dataset
     * {@code cylinder}, run {@code box} (rounded), model {@code component}, artifact {@code note}; the root is drawn
     * with a thicker border.
     */
    static String dot(LineageGraph graph) {
        StringBuilder out = new StringBuilder(256);
        out.append("digraph lineage {\n");
        out.append("  rankdir=LR;\n");
        out.append("  node [fontname=\"Helvetica\", fontsize=10];\n");
        out.append("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        for (NodeRef node : allNodes(graph)) {
            out.append("  ").append(dotString(node.id())).append(" [");
            out.append("label=").append(dotString(label(node)));
            out.append(", shape=").append(dotShape(node.kind()));
            if (node.kind() == NodeKind.RUN) {
                out.append(", style=rounded");
            }
            out.append(", tooltip=").append(dotString(node.id()));
            if (node.equals(graph.root())) {
                out.append(", penwidth=2");
            }
            out.append("];\n");
        }
        for (LineageEdge edge : graph.edges()) {
            out.append("  ").append(dotString(edge.from().id())).append(" -> ").append(dotString(edge.to().id()))
                    .append(" [label=\"").append(edge.kind().name().toLowerCase(Locale.ROOT)).append("\"];\n");
        }
        out.append("}\n");
        return out.toString();
    }

    /**
     * A double-quoted DOT string: {@code \} and {@code "} escaped with a backslash; a line break (LF, CR or CRLF)
     * becomes {@code \n}, which Graphviz shows as a line break in labels.
     */
    static String dotString(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> {
                    b.append("\\n");
                    if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                }
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String dotShape(NodeKind kind) {
        return switch (kind) {
            case DATASET -> "cylinder";
            case RUN -> "box";
            case MODEL -> "component";
            case ARTIFACT -> "note";
        };
    }

    // ---- Mermaid ------------------------------------------------------------------------------------------------

    /**
     * The graph as a Mermaid {@code flowchart LR}. Node ids are made of {@code [A-Za-z0-9_]} only, every other
     * character replaced by {@code _}: the kind, then for a dataset or artifact the name (at most 40 characters)
     * and 12 digest digits, for a model the name and the version, for a run its id; {@code _2}, {@code _3}, ... is
     * appended when two nodes would otherwise share an id. Labels are double-quoted with {@code " # & < > `}
     * written as Mermaid entity codes ({@code #quot;} ...), so no name can end a label early or be read as markup;
     * line breaks become {@code <br/>}. Shapes: dataset {@code [(...)]}, run {@code (...)}, model
     * {@code [[...]]}, artifact {@code >...]}; the root gets the class {@code root}.
     */
    static String mermaid(LineageGraph graph) {
        Set<NodeRef> nodes = allNodes(graph);
        Map<NodeRef, String> ids = mermaidIds(nodes);
        StringBuilder out = new StringBuilder(256);
        out.append("flowchart LR\n");
        for (NodeRef node : nodes) {
            String label = "\"" + mermaidText(label(node)) + "\"";
            out.append("  ").append(ids.get(node)).append(switch (node.kind()) {
                case DATASET -> "[(" + label + ")]";
                case RUN -> "(" + label + ")";
                case MODEL -> "[[" + label + "]]";
                case ARTIFACT -> ">" + label + "]";
            }).append('\n');
        }
        for (LineageEdge edge : graph.edges()) {
            out.append("  ").append(ids.get(edge.from())).append(" -->|")
                    .append(edge.kind().name().toLowerCase(Locale.ROOT)).append("| ")
                    .append(ids.get(edge.to())).append('\n');
        }
        out.append("  classDef root stroke-width:3px\n");
        out.append("  class ").append(ids.get(graph.root())).append(" root\n");
        return out.toString();
    }

    /** Unique Mermaid-safe ids for {@code nodes}, assigned in order. */
    static Map<NodeRef, String> mermaidIds(Set<NodeRef> nodes) {
        Map<NodeRef, String> ids = new HashMap<>();
        Set<String> used = new HashSet<>();
        for (NodeRef node : nodes) {
            String base = node.kind().prefix() + "_" + switch (node.kind()) {
                case DATASET, ARTIFACT -> sanitize(node.name(), MERMAID_NAME_PART) + "_"
                        + sanitize(digestHex(node.version(), SHORT_DIGEST), Integer.MAX_VALUE);
                case MODEL -> sanitize(node.name(), MERMAID_NAME_PART) + "_" + node.version();
                case RUN -> sanitize(node.key(), Integer.MAX_VALUE);
            };
            String id = base;
            for (int n = 2; !used.add(id); n++) {
                id = base + "_" + n;
            }
            ids.put(node, id);
        }
        return ids;
    }

    private static String sanitize(String text, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            b.append(safe ? c : '_');
        }
        return b.toString();
    }

    /**
     * Text for inside a double-quoted Mermaid label: {@code " # & < > `} as entity codes, line breaks as
     * {@code <br/>}, tabs as spaces.
     */
    static String mermaidText(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("#quot;");
                case '#' -> b.append("#35;");
                case '&' -> b.append("#amp;");
                case '<' -> b.append("#lt;");
                case '>' -> b.append("#gt;");
                case '`' -> b.append("#96;");
                case '\t' -> b.append(' ');
                case '\n' -> b.append("<br/>");
                case '\r' -> {
                    b.append("<br/>");
                    if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                }
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    // ---- shared -------------------------------------------------------------------------------------------------

    /**
     * The label of a node, two lines: the name, then the short version ({@code sha256:} and 12 digits, or
     * {@code version N}); a run shows {@code run} and its id.
     */
    static String label(NodeRef node) {
        return switch (node.kind()) {
            case DATASET, ARTIFACT -> node.name() + "\n" + shortDigest(node.version());
            case MODEL -> node.name() + "\nversion " + node.version();
            case RUN -> "run\n" + node.key();
        };
    }

    private static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, colon + 1) + digestHex(digest, SHORT_DIGEST);
    }

    private static String digestHex(String digest, int digits) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(digits, hex.length()));
    }

    /** The graph's nodes in order, then any edge end that is missing from them. */
    private static Set<NodeRef> allNodes(LineageGraph graph) {
        Set<NodeRef> nodes = new LinkedHashSet<>(graph.nodes());
        nodes.add(graph.root());
        for (LineageEdge edge : graph.edges()) {
            nodes.add(edge.from());
            nodes.add(edge.to());
        }
        return nodes;
    }
}
