// The model's use of block space: which chain settles jobs and carries each bridge's
// messages, the fees that follow from its base fee, and the transactions the job flow puts
// on it. Without chains every fee is the fixed routing.settlement_tx_usd, as before.
#include "market_model_impl.hpp"

namespace gpumarket {
namespace {

uint32_t chain_index(const std::vector<ChainParams>& chains, const std::string& name) {
  for (uint32_t c = 0; c < chains.size(); ++c) {
    if (chains[c].name == name) return c;
  }
  return kNoChain;  // the loader has checked that a name given names a chain
}

}  // namespace

void MarketModel::Impl::build_chains() {
  chains_.reserve(scenario_.chains.size());
  for (const ChainParams& c : scenario_.chains) chains_.emplace_back(c, scenario_.seed);
  resolve_chains();
}

void MarketModel::Impl::resolve_chains() {
  settlement_chain_ = chain_index(current_->chains, current_->routing.settlement_chain);
  bridge_chain_.clear();
  for (const BridgeParams& b : current_->bridges) {
    bridge_chain_.push_back(chain_index(current_->chains, b.chain));
  }
}

// Before the interval that ends now is recorded: its blocks carry its transactions.
void MarketModel::Impl::advance_chains(SimTime now) {
  for (Chain& chain : chains_) chain.advance_to(now);
}

double MarketModel::Impl::settlement_fee_usd() const {
  if (settlement_chain_ == kNoChain) return current_->routing.settlement_tx_usd;
  const Chain& chain = chains_[settlement_chain_];
  return chain.fee_usd(chain.params().gas.settlement_gas);
}

double MarketModel::Impl::bridge_gas_usd(uint32_t bridge) const {
  const uint32_t c = bridge_chain_[bridge];
  if (c == kNoChain) return 0.0;
  const Chain& chain = chains_[c];
  const GasCosts& gas = chain.params().gas;
  const bool proves = current_->bridges[bridge].proves();
  return chain.fee_usd(gas.bridge_message_gas + (proves ? gas.proof_verification_gas : 0));
}

void MarketModel::Impl::record_settlement() {
  if (settlement_chain_ == kNoChain) return;
  Chain& chain = chains_[settlement_chain_];
  chain.add_transaction(chain.params().gas.settlement_gas);
}

void MarketModel::Impl::record_bridge_message(uint32_t bridge) {
  const uint32_t c = bridge_chain_[bridge];
  if (c == kNoChain) return;
  chains_[c].add_transaction(chains_[c].params().gas.bridge_message_gas);
}

void MarketModel::Impl::record_proof_verification(uint32_t bridge) {
  const uint32_t c = bridge_chain_[bridge];
  if (c == kNoChain || !current_->bridges[bridge].proves()) return;
  chains_[c].add_transaction(chains_[c].params().gas.proof_verification_gas);
}

}  // namespace gpumarket
