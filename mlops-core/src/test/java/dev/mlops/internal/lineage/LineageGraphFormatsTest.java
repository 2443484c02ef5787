package dev.mlops.internal.lineage;

import static dev.mlops.internal.lineage.PipelineFixture.digest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineageGraphFormatsTest {
    static final String HEX_A = digest("a").substring("sha256:".length());

    /** Names that break naive DOT or Mermaid writers. */
    static final List<String> NASTY = List.of(
            "he said \"hi\"", "back\\slash", "trailing\\", "\\N \\G \\L", "\\\"", "\"", "two\nlines", "cr\rlf\r\nend",
            "tab\there", "<b>bold</b> & <br/>", "#quot; #35; &amp;", "`code`", "end", "a --> b; click a call x()",
            "}; digraph evil { x", "[(shape)]", "|pipe|", "o", "x", "ünïcödé 日本 😀", "a_b", "a-b", "a b",
            "-->|output|");

    static NodeRef ds(String name) {
        return NodeRef.dataset(name, digest(name));
    }

    // ---- DOT ----------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Graphviz DOT")
    class Dot {
        @Test
        @DisplayName("is a digraph with one statement per node and edge, shapes per kind, in graph order")
        void golden() {
            NodeRef a = NodeRef.dataset("raw", "sha256:" + HEX_A);
            NodeRef run = NodeRef.run("r1");
            NodeRef m = NodeRef.model("churn", 3);
            NodeRef art = NodeRef.artifact("w.bin", "sha256:" + HEX_A);
            LineageGraph g = new LineageGraph(a, List.of(a, run, art, m), List.of(
                    new LineageEdge(a, run, EdgeKind.INPUT), new LineageEdge(run, art, EdgeKind.OUTPUT),
                    new LineageEdge(run, m, EdgeKind.OUTPUT)));

            String short12 = HEX_A.substring(0, 12);
            assertThat(GraphFormats.dot(g)).isEqualTo(""
                    + "digraph lineage {\n"
                    + "  rankdir=LR;\n"
                    + "  node [fontname=\"Helvetica\", fontsize=10];\n"
                    + "  edge [fontname=\"Helvetica\", fontsize=9];\n"
                    + "  \"dataset:raw@sha256:" + HEX_A + "\" [label=\"raw\\nsha256:" + short12
                    + "\", shape=cylinder, tooltip=\"dataset:raw@sha256:" + HEX_A + "\", penwidth=2];\n"
                    + "  \"run:r1\" [label=\"run\\nr1\", shape=box, style=rounded, tooltip=\"run:r1\"];\n"
                    + "  \"artifact:w.bin@sha256:" + HEX_A + "\" [label=\"w.bin\\nsha256:" + short12
                    + "\", shape=note, tooltip=\"artifact:w.bin@sha256:" + HEX_A + "\"];\n"
                    + "  \"model:churn/3\" [label=\"churn\\nversion 3\", shape=component, tooltip=\"model:churn/3\"];\n"
                    + "  \"dataset:raw@sha256:" + HEX_A + "\" -> \"run:r1\" [label=\"input\"];\n"
                    + "  \"run:r1\" -> \"artifact:w.bin@sha256:" + HEX_A + "\" [label=\"output\"];\n"
                    + "  \"run:r1\" -> \"model:churn/3\" [label=\"output\"];\n"
                    + "}\n");
        }

        @Test
        @DisplayName("keeps nasty names inside their strings: labels and tooltips read back exactly")
        void nastyNames() {
            checkDot(graphOf(NASTY));
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {7, 11, 42, 1234, 99991})
        @DisplayName("keeps random names made of special characters inside their strings")
        void randomNames(long seed) {
            checkDot(graphOf(randomNameList(new SplittableRandom(seed))));
        }

        @Test
        @DisplayName("declares an edge end that is missing from the node list")
        void undeclaredEnd() {
            NodeRef a = ds("a");
            NodeRef r = NodeRef.run("r");
            LineageGraph g = new LineageGraph(a, List.of(a), List.of(new LineageEdge(a, r, EdgeKind.INPUT)));
            Parsed p = DotParser.parse(GraphFormats.dot(g));
            assertThat(p.nodes).containsKeys(graphvizName(a.id()), graphvizName(r.id()));
        }

        private void checkDot(LineageGraph g) {
            String dot = GraphFormats.dot(g);
            assertThat(GraphFormats.dot(g)).isEqualTo(dot);
            Parsed p = DotParser.parse(dot);

            assertThat(p.nodes).hasSize(g.nodes().size());
            assertThat(p.edges).hasSize(g.edges().size());
            for (NodeRef n : g.nodes()) {
                Map<String, String> attrs = p.nodes.get(graphvizName(n.id()));
                assertThat(attrs).as("node %s", n.id()).isNotNull();
                assertThat(escString(attrs.get("label"))).isEqualTo(lines(GraphFormats.label(n)));
                assertThat(escString(attrs.get("tooltip"))).isEqualTo(lines(n.id()));
                assertThat(attrs).containsKey("shape");
            }
            for (int i = 0; i < g.edges().size(); i++) {
                LineageEdge e = g.edges().get(i);
                assertThat(p.edges.get(i)).containsExactly(graphvizName(e.from().id()), graphvizName(e.to().id()),
                        e.kind().name().toLowerCase());
            }
        }
    }

    /** The node name Graphviz reads from our quoted id: its parser only turns {@code \"} into {@code "}. */
    static String graphvizName(String id) {
        return id.replace("\r\n", "\n").replace('\r', '\n').replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String lines(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** Graphviz escString for labels: {@code \\} is a backslash, {@code \n} a line break; we emit no other. */
    static String escString(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                char next = value.charAt(++i);
                switch (next) {
                    case '\\' -> b.append('\\');
                    case 'n' -> b.append('\n');
                    default -> throw new AssertionError("unexpected escape \\" + next + " in " + value);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    record Parsed(Map<String, Map<String, String>> nodes, List<List<String>> edges) {
    }

    /**
     * A small DOT reader with Graphviz's lexical rules for quoted strings ({@code \"} is a quote, every other
     * character, backslashes included, is kept; a quote ends the string), enough to read what we write.
     */
    static final class DotParser {
        private final List<String> tokens = new ArrayList<>();
        private final List<Boolean> quoted = new ArrayList<>();
        private int pos;

        static Parsed parse(String dot) {
            DotParser p = new DotParser();
            p.lex(dot);
            return p.graph();
        }

        private void lex(String s) {
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    i++;
                    while (true) {
                        assertThat(i).as("unterminated string").isLessThan(s.length());
                        char d = s.charAt(i);
                        if (d == '"') {
                            i++;
                            break;
                        }
                        assertThat(d).as("raw line break inside a string").isNotIn('\n', '\r');
                        if (d == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            b.append('"');
                            i += 2;
                        } else if (d == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                            b.append("\\\\");
                            i += 2;
                        } else {
                            b.append(d);
                            i++;
                        }
                    }
                    tokens.add(b.toString());
                    quoted.add(true);
                } else if (c == '-' && s.startsWith("->", i)) {
                    tokens.add("->");
                    quoted.add(false);
                    i += 2;
                } else if ("{}[];,=".indexOf(c) >= 0) {
                    tokens.add(String.valueOf(c));
                    quoted.add(false);
                    i++;
                } else if (Character.isLetterOrDigit(c) || c == '_') {
                    int j = i;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                    tokens.add(s.substring(i, j));
                    quoted.add(false);
                    i = j;
                } else {
                    throw new AssertionError("unexpected character '" + c + "' at " + i);
                }
            }
        }

        private Parsed graph() {
            expect("digraph");
            expect("lineage");
            expect("{");
            Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
            List<List<String>> edges = new ArrayList<>();
            while (!peek().equals("}") || quoted.get(pos)) {
                String first = next();
                boolean firstQuoted = quoted.get(pos - 1);
                if (!firstQuoted && first.equals("rankdir")) {
                    expect("=");
                    expect("LR");
                    expect(";");
                } else if (!firstQuoted && (first.equals("node") || first.equals("edge"))) {
                    attrs();
                    expect(";");
                } else {
                    assertThat(firstQuoted).as("node names are quoted: %s", first).isTrue();
                    if (peek().equals("->") && !quoted.get(pos)) {
                        next();
                        String to = next();
                        assertThat(quoted.get(pos - 1)).isTrue();
                        Map<String, String> a = attrs();
                        assertThat(nodes).as("edge ends are declared first").containsKeys(first, to);
                        edges.add(List.of(first, to, a.get("label")));
                    } else {
                        assertThat(nodes).as("each node is declared once").doesNotContainKey(first);
                        nodes.put(first, attrs());
                    }
                    expect(";");
                }
            }
            expect("}");
            assertThat(pos).isEqualTo(tokens.size());
            return new Parsed(nodes, edges);
        }

        private Map<String, String> attrs() {
            expect("[");
            Map<String, String> a = new LinkedHashMap<>();
            while (true) {
                String key = next();
                assertThat(quoted.get(pos - 1)).as("attribute names are bare").isFalse();
                expect("=");
                a.put(key, next());
                String sep = next();
                if (sep.equals("]")) {
                    return a;
                }
                assertThat(sep).isEqualTo(",");
            }
        }

        private String peek() {
            return tokens.get(pos);
        }

        private String next() {
            return tokens.get(pos++);
        }

        private void expect(String token) {
            assertThat(quoted.get(pos)).as("expected bare %s", token).isFalse();
            assertThat(next()).isEqualTo(token);
        }
    }

    // ---- Mermaid ------------------------------------------------------------------------------------------------

    static final Pattern MERMAID_NODE = Pattern.compile(
            "  ([A-Za-z][A-Za-z0-9_]*)(\\[\\(|\\(|\\[\\[|>)\"([^\"]*)\"(\\)\\]|\\)|\\]\\]|\\])");
    static final Pattern MERMAID_EDGE = Pattern.compile("  ([A-Za-z][A-Za-z0-9_]*) -->\\|(input|output)\\| "
            + "([A-Za-z][A-Za-z0-9_]*)");
    static final Set<String> MERMAID_WORDS = Set.of("end", "graph", "flowchart", "subgraph", "class", "classDef",
            "click", "style", "linkStyle", "direction");

    @Nested
    @DisplayName("Mermaid")
    class Mermaid {
        @Test
        @DisplayName("is a left-to-right flowchart with safe ids, shapes per kind and the root marked")
        void golden() {
            NodeRef a = NodeRef.dataset("raw data.csv", "sha256:" + HEX_A);
            NodeRef run = NodeRef.run("0190a000-0000-7000-8000-000000000002");
            NodeRef m = NodeRef.model("churn", 3);
            NodeRef art = NodeRef.artifact("w.bin", "sha256:" + HEX_A);
            LineageGraph g = new LineageGraph(run, List.of(run, a, art, m), List.of(
                    new LineageEdge(a, run, EdgeKind.INPUT), new LineageEdge(run, art, EdgeKind.OUTPUT),
                    new LineageEdge(run, m, EdgeKind.OUTPUT)));
            String s12 = HEX_A.substring(0, 12);

            assertThat(GraphFormats.mermaid(g)).isEqualTo(""
                    + "flowchart LR\n"
                    + "  run_0190a000_0000_7000_8000_000000000002(\"run<br/>0190a000-0000-7000-8000-000000000002\")\n"
                    + "  dataset_raw_data_csv_" + s12 + "[(\"raw data.csv<br/>sha256:" + s12 + "\")]\n"
                    + "  artifact_w_bin_" + s12 + ">\"w.bin<br/>sha256:" + s12 + "\"]\n"
                    + "  model_churn_3[[\"churn<br/>version 3\"]]\n"
                    + "  dataset_raw_data_csv_" + s12 + " -->|input| run_0190a000_0000_7000_8000_000000000002\n"
                    + "  run_0190a000_0000_7000_8000_000000000002 -->|output| artifact_w_bin_" + s12 + "\n"
                    + "  run_0190a000_0000_7000_8000_000000000002 -->|output| model_churn_3\n"
                    + "  classDef root stroke-width:3px\n"
                    + "  class run_0190a000_0000_7000_8000_000000000002 root\n");
        }

        @Test
        @DisplayName("keeps nasty names inside quoted labels and out of ids")
        void nastyNames() {
            checkMermaid(graphOf(NASTY));
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {7, 11, 42, 1234, 99991})
        @DisplayName("keeps random names made of special characters inside quoted labels")
        void randomNames(long seed) {
            checkMermaid(graphOf(randomNameList(new SplittableRandom(seed))));
        }

        @Test
        @DisplayName("gives distinct ids to names that sanitise alike")
        void collisions() {
            String d = "sha256:" + HEX_A;
            List<NodeRef> nodes = List.of(NodeRef.dataset("a-b", d), NodeRef.dataset("a_b", d),
                    NodeRef.dataset("a b", d), NodeRef.dataset("a_b_" + HEX_A.substring(0, 12) + "_2", d),
                    NodeRef.dataset("a.b", d));
            Map<NodeRef, String> ids = GraphFormats.mermaidIds(new java.util.LinkedHashSet<>(nodes));
            String base = "dataset_a_b_" + HEX_A.substring(0, 12);
            assertThat(nodes.stream().map(ids::get)).containsExactly(base, base + "_2", base + "_3",
                    "dataset_a_b_" + HEX_A.substring(0, 12) + "_2_" + HEX_A.substring(0, 12), base + "_4");
            assertThat(new HashSet<>(ids.values())).hasSize(nodes.size());
        }

        private void checkMermaid(LineageGraph g) {
            String text = GraphFormats.mermaid(g);
            assertThat(GraphFormats.mermaid(g)).isEqualTo(text);
            List<String> lines = List.of(text.split("\n", -1));
            assertThat(lines.get(0)).isEqualTo("flowchart LR");
            assertThat(lines.get(lines.size() - 1)).isEmpty();
            Map<String, String> labelById = new LinkedHashMap<>();
            int i = 1;
            for (; i <= g.nodes().size(); i++) {
                Matcher m = MERMAID_NODE.matcher(lines.get(i));
                assertThat(m.matches()).as("node line %s", lines.get(i)).isTrue();
                assertThat(MERMAID_WORDS).doesNotContain(m.group(1).toLowerCase());
                assertThat(labelById.put(m.group(1), m.group(3))).as("duplicate id " + m.group(1)).isNull();
                NodeRef node = g.nodes().get(i - 1);
                assertThat(decodeMermaid(m.group(3))).isEqualTo(lines(GraphFormats.label(node)).replace('\t', ' '));
            }
            List<String> ids = new ArrayList<>(labelById.keySet());
            for (LineageEdge e : g.edges()) {
                Matcher m = MERMAID_EDGE.matcher(lines.get(i++));
                assertThat(m.matches()).as("edge line %s", lines.get(i - 1)).isTrue();
                assertThat(m.group(1)).isEqualTo(ids.get(g.nodes().indexOf(e.from())));
                assertThat(m.group(3)).isEqualTo(ids.get(g.nodes().indexOf(e.to())));
                assertThat(m.group(2)).isEqualTo(e.kind().name().toLowerCase());
            }
            assertThat(lines.get(i++)).isEqualTo("  classDef root stroke-width:3px");
            assertThat(lines.get(i++)).isEqualTo("  class " + ids.get(0) + " root");
            assertThat(i).isEqualTo(lines.size() - 1);
        }
    }

    /** Reads a label back; fails on any character that Mermaid could read as markup or the end of the label. */
    static String decodeMermaid(String label) {
        String rest = label.replace("<br/>", "\u0000");
        assertThat(rest).doesNotContain("\"", "<", ">", "`", "\n", "\r", "\t");
        Matcher entity = Pattern.compile("#([a-z]+|[0-9]+);").matcher(rest);
        StringBuilder b = new StringBuilder();
        int last = 0;
        while (entity.find()) {
            String plain = rest.substring(last, entity.start());
            assertThat(plain).as("a bare # or & in %s", label).doesNotContain("#", "&");
            b.append(plain).append(switch (entity.group(1)) {
                case "quot" -> "\"";
                case "35" -> "#";
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "96" -> "`";
                default -> throw new AssertionError("unknown entity " + entity.group());
            });
            last = entity.end();
        }
        String tail = rest.substring(last);
        assertThat(tail).as("a bare # or & in %s", label).doesNotContain("#", "&");
        return b.append(tail).toString().replace('\u0000', '\n');
    }

    // ---- graphs -------------------------------------------------------------------------------------------------

    /** One dataset per name, each read by a run named after it, which writes a model version. */
    static LineageGraph graphOf(List<String> names) {
        List<NodeRef> nodes = new ArrayList<>();
        List<LineageEdge> edges = new ArrayList<>();
        NodeRef root = NodeRef.run("root \"run\" \\");
        nodes.add(root);
        int k = 1;
        for (String name : names) {
            NodeRef d = ds(name);
            NodeRef r = NodeRef.run(name + " run");
            NodeRef m = NodeRef.model(name, k++);
            NodeRef a = NodeRef.artifact(name, digest(name + "!"));
            nodes.addAll(List.of(d, r, m, a));
            edges.add(new LineageEdge(d, r, EdgeKind.INPUT));
            edges.add(new LineageEdge(r, m, EdgeKind.OUTPUT));
            edges.add(new LineageEdge(r, a, EdgeKind.OUTPUT));
            edges.add(new LineageEdge(root, d, EdgeKind.OUTPUT));
        }
        return new LineageGraph(root, nodes, edges);
    }

    static List<String> randomNameList(SplittableRandom random) {
        String alphabet = "\"\\\n\r\t#&<>`;{}[]()|-:/@=,. _aZ9éü日😀";
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (names.size() < 40) {
            StringBuilder b = new StringBuilder();
            int len = 1 + random.nextInt(12);
            while (b.length() < len) {
                int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                        random.nextInt(alphabet.codePointCount(0, alphabet.length()))));
                b.appendCodePoint(cp);
            }
            if (seen.add(b.toString())) {
                names.add(b.toString());
            }
        }
        return names;
    }
}
