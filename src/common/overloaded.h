// Overloaded{lambdas...}: one visitor out of several lambdas, for std::visit.
#pragma once

namespace tandem {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace tandem
