// One way to run blocking LibTorch work off the JS thread: `RunOnPool<Result>(env, job, done)` runs `job`
// on the libuv thread pool and settles the returned promise on the JS thread, with `done(env,
// result)` or with the job's error through ToJsError (the one error boundary). `job` never touches
// JS; what it needs it holds by value (tensors, IValues and handles keep their memory alive).
#pragma once
#include <napi.h>

#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include "bindings/common.h"

namespace nodetorch {

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Job = std::function<Result()>;
  using Done = std::function<Napi::Value(Napi::Env, Result&)>;

  PromiseWorker(Napi::Env env, Job job, Done done)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)), done_(std::move(done)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      result_.emplace(job_());
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (error_) {
      deferred_.Reject(ToJsError(env, error_).Value());
      return;
    }
    try {
      deferred_.Resolve(done_(env, *result_));
    } catch (...) {
      deferred_.Reject(ToJsError(env, std::current_exception()).Value());
    }
    // Results let go on the JS thread, now, rather than whenever the worker is deleted.
    result_.reset();
  }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  Done done_;
  std::optional<Result> result_;
  std::exception_ptr error_;
};

template <typename Result>
Napi::Promise RunOnPool(Napi::Env env, std::function<Result()> job, std::function<Napi::Value(Napi::Env, Result&)> done) {
  auto* worker = new PromiseWorker<Result>(env, std::move(job), std::move(done));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace nodetorch
