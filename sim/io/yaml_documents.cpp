#include "yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <array>
#include <sstream>

namespace gpumarket {
namespace {

// Keeps where the document began and where its root node is; other events are ignored.
class DocumentMarks final : public YAML::EventHandler {
 public:
  YAML::Mark start;
  YAML::Mark root = YAML::Mark::null_mark();  // until the document has a node

  void OnDocumentStart(const YAML::Mark& where) override { start = where; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& where, YAML::anchor_t) override { node(where); }
  void OnAlias(const YAML::Mark& where, YAML::anchor_t) override { node(where); }
  void OnScalar(const YAML::Mark& where, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(where);
  }
  void OnSequenceStart(const YAML::Mark& where, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(where);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& where, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(where);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& where) {
    if (root.is_null()) root = where;
  }
};

}  // namespace

YamlTail yaml_tail(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  // Three documents: a parser stuck after the first document starts the second and the third
  // at the same token; one stuck at the start does so with the first and the second.
  std::array<DocumentMarks, 3> documents;
  size_t count = 0;
  while (count < documents.size() && parser.HandleNextDocument(documents[count])) {
    if (count > 0 && documents[count].start.pos == documents[count - 1].start.pos) {
      return {YamlTail::Kind::Stuck, documents[count].start};
    }
    ++count;
  }
  if (count > 1) {
    // Located at its root node, as YAML::Node::Mark() would locate it.
    const DocumentMarks& second = documents[1];
    return {YamlTail::Kind::SecondDocument, second.root.is_null() ? second.start : second.root};
  }
  return {};
}

}  // namespace gpumarket
