// tc0flow verify's proofs on whole random models (translation validation, proofs/translation.hpp):
// every operation of the compiled sampler proved for every input. The default suite proves a random
// DiT under MF1 and a random MLP under MF2 and Euler-3 (a non-dyadic step); the Slow* tests (ctest
// label slow) a random DiT under MF2 and Euler-2, a few minutes each on 2 cores.
#include "verify_support.hpp"

using namespace tc0::proofs::testing;

TEST(VerifyModels, DitMf1) { expect_all_proved(compile("dit", 52, 6, SamplerKind::mf1, 1), "dit mf1-1"); }
TEST(VerifyModels, MlpMf2) { expect_all_proved(compile("mlp", 54, 8, SamplerKind::mf2, 1), "mlp mf2-1"); }
TEST(VerifyModels, MlpEuler3) { expect_all_proved(compile("mlp", 55, 8, SamplerKind::euler, 3), "mlp euler-3"); }
TEST(VerifyModels, SlowDitMf2) { expect_all_proved(compile("dit", 51, 6, SamplerKind::mf2, 1), "dit mf2-1"); }
TEST(VerifyModels, SlowDitEuler2) { expect_all_proved(compile("dit", 53, 6, SamplerKind::euler, 2), "dit euler-2"); }
