// A formula → LLVM IR (one function over a double array) → O2 → ORC LLJIT.
// Math functions become LLVM intrinsics, which the JIT resolves to the
// process's libm, so compiled and interpreted results agree.
#include "compiler/lower/llvm/Formula.h"


#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace edl::lower {

struct CompiledFormula::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

CompiledFormula::CompiledFormula(std::unique_ptr<Impl> impl, Fn fn) : impl_(std::move(impl)), fn_(fn) {}
CompiledFormula::~CompiledFormula() = default;

namespace {

class Emitter {
 public:
  Emitter(llvm::Module &m, llvm::IRBuilder<> &b, const std::vector<std::string> &vars, llvm::Value *values)
      : m_(m), b_(b), vars_(vars), values_(values), f64_(b.getDoubleTy()) {}

  llvm::Value *emit(const spec::Formula &f) {
    using K = spec::Formula::Kind;
    switch (f.kind) {
      case K::Number:
      case K::Bool: return llvm::ConstantFP::get(f64_, f.number);
      case K::Variable: return variable(f.name);
      case K::Unary: {
        llvm::Value *v = emit(f.args[0]);
        return f.unary == spec::UnaryOp::Neg ? b_.CreateFNeg(v) : boolean(b_.CreateFCmpOEQ(v, zero()));
      }
      case K::Binary: return binary(f);
      case K::Call: return call(f);
    }
    throw std::invalid_argument("a formula node of no kind");
  }

 private:
  llvm::Value *zero() { return llvm::ConstantFP::get(f64_, 0.0); }
  llvm::Value *boolean(llvm::Value *i1) { return b_.CreateUIToFP(i1, f64_); }
  llvm::Value *truthy(llvm::Value *v) { return b_.CreateFCmpUNE(v, zero()); }

  llvm::Value *variable(const std::string &name) {
    for (std::size_t i = 0; i < vars_.size(); ++i)
      if (vars_[i] == name) return b_.CreateLoad(f64_, b_.CreateConstGEP1_64(f64_, values_, i), name);
    throw std::invalid_argument("unknown formula name '" + name + "'");
  }

  llvm::Value *intrinsic(llvm::Intrinsic::ID id, std::vector<llvm::Value *> args) {
    return b_.CreateCall(llvm::Intrinsic::getDeclaration(&m_, id, {f64_}), args);
  }

  llvm::Value *binary(const spec::Formula &bin) {
    llvm::Value *l = emit(bin.args[0]), *r = emit(bin.args[1]);
    switch (bin.binary) {
      case spec::BinaryOp::Pow: return intrinsic(llvm::Intrinsic::pow, {l, r});
      case spec::BinaryOp::Mul: return b_.CreateFMul(l, r);
      case spec::BinaryOp::Div: return b_.CreateFDiv(l, r);
      case spec::BinaryOp::Add: return b_.CreateFAdd(l, r);
      case spec::BinaryOp::Sub: return b_.CreateFSub(l, r);
      case spec::BinaryOp::Lt: return boolean(b_.CreateFCmpOLT(l, r));
      case spec::BinaryOp::Le: return boolean(b_.CreateFCmpOLE(l, r));
      case spec::BinaryOp::Gt: return boolean(b_.CreateFCmpOGT(l, r));
      case spec::BinaryOp::Ge: return boolean(b_.CreateFCmpOGE(l, r));
      case spec::BinaryOp::Eq: return boolean(b_.CreateFCmpOEQ(l, r));
      case spec::BinaryOp::Ne: return boolean(b_.CreateFCmpUNE(l, r));
      case spec::BinaryOp::And: return boolean(b_.CreateAnd(truthy(l), truthy(r)));
      case spec::BinaryOp::Or: return boolean(b_.CreateOr(truthy(l), truthy(r)));
    }
    throw std::invalid_argument("unknown operator in a formula");
  }

  llvm::Value *call(const spec::Formula &c) {
    std::vector<llvm::Value *> a;
    for (const spec::Formula &arg : c.args) a.push_back(emit(arg));
    using Op = stdlib::FormulaOp;
    switch (c.function) {  // every case: what formula_reference computes
      case Op::Abs: return intrinsic(llvm::Intrinsic::fabs, a);
      case Op::Sqrt: return intrinsic(llvm::Intrinsic::sqrt, a);
      case Op::Exp: return intrinsic(llvm::Intrinsic::exp, a);
      case Op::Log: return intrinsic(llvm::Intrinsic::log, a);
      case Op::Pow: return intrinsic(llvm::Intrinsic::pow, a);
      case Op::Sin: return intrinsic(llvm::Intrinsic::sin, a);
      case Op::Cos: return intrinsic(llvm::Intrinsic::cos, a);
      case Op::Tanh: {  // no intrinsic: the C library's, found by the JIT in the process
        auto fn = m_.getOrInsertFunction("tanh", llvm::FunctionType::get(f64_, {f64_}, false));
        return b_.CreateCall(fn, a);
      }
      case Op::Min: return intrinsic(llvm::Intrinsic::minnum, a);
      case Op::Max: return intrinsic(llvm::Intrinsic::maxnum, a);
      case Op::Clamp:
        return intrinsic(llvm::Intrinsic::minnum, {intrinsic(llvm::Intrinsic::maxnum, {a[0], a[1]}), a[2]});
      case Op::Floor: return intrinsic(llvm::Intrinsic::floor, a);
      case Op::Select: return b_.CreateSelect(truthy(a[0]), a[1], a[2]);
    }
    throw std::invalid_argument("unknown formula function '" + c.name + "'");
  }

  llvm::Module &m_;
  llvm::IRBuilder<> &b_;
  const std::vector<std::string> &vars_;
  llvm::Value *values_;
  llvm::Type *f64_;
};

void optimise(llvm::Module &m) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
}

std::string message(llvm::Error e) { return llvm::toString(std::move(e)); }

}  // namespace

std::unique_ptr<CompiledFormula> CompiledFormula::compile(const spec::Formula &formula,
                                                          const std::vector<std::string> &variables,
                                                          std::string &error) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });

  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("edl_formula", *context);
  llvm::IRBuilder<> builder(*context);
  auto *type = llvm::FunctionType::get(builder.getDoubleTy(), {llvm::PointerType::getUnqual(builder.getDoubleTy())},
                                       false);
  auto *fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, "edl_formula", module.get());
  builder.SetInsertPoint(llvm::BasicBlock::Create(*context, "entry", fn));
  try {
    Emitter emitter(*module, builder, variables, fn->getArg(0));
    builder.CreateRet(emitter.emit(formula));
  } catch (const std::invalid_argument &e) {
    error = e.what();
    return nullptr;
  }
  std::string verify;
  llvm::raw_string_ostream verify_out(verify);
  if (llvm::verifyModule(*module, &verify_out)) {
    error = "invalid IR for a formula: " + verify_out.str();
    return nullptr;
  }
  optimise(*module);

  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit) return error = message(jit.takeError()), nullptr;
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return error = message(process.takeError()), nullptr;
  (*jit)->getMainJITDylib().addGenerator(std::move(*process));
  if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return error = message(std::move(e)), nullptr;
  auto symbol = (*jit)->lookup("edl_formula");
  if (!symbol) return error = message(symbol.takeError()), nullptr;
  auto impl = std::make_unique<Impl>();
  impl->jit = std::move(*jit);
  auto f = reinterpret_cast<Fn>(symbol->getAddress());
  return std::unique_ptr<CompiledFormula>(new CompiledFormula(std::move(impl), f));
}

}  // namespace edl::lower
