// The ODLA API edge shared by every runtime, its second half: contexts, their bindings and
// the execution of a computation (op by op, or in graphs of device ops; timed with
// ODLA_PROFILE).
#include <algorithm>
#include <cstring>

#include "computation.h"
#include "graphs.h"
#include "profile.h"
#include "runtime.h"

using namespace odla_rt;

extern "C" {

odla_status odla_CreateContext(odla_context* context) {
  return GuardStatus([&] {
    if (!context) Fail("odla_CreateContext: NULL pointer");
    odla_computation c = Current();
    if (!c->first_error.empty()) throw RtError(c->first_error);
    auto* ctx = new _odla_context();
    ctx->comp = c;
    ctx->arg_data.assign(c->args.size(), nullptr);
    ctx->out_data.assign(c->outputs.size(), nullptr);
    ctx->memory_cache = c->memory_cache;
    ctx->memory = c->memory_cache->Take();
    *context = ctx;
  });
}

odla_status odla_BindToArgument(odla_context context, int index, const void* data) {
  return GuardStatus([&] {
    if (!context || index < 0 || index >= static_cast<int>(context->arg_data.size()))
      Fail("odla_BindToArgument: no argument ", index);
    context->arg_data[index] = data;
  });
}

odla_status odla_BindToArgumentById(odla_context context, odla_value_id id, const void* data) {
  return GuardStatus([&] {
    if (!context || !id) Fail("odla_BindToArgumentById: NULL context or id");
    auto it = context->comp->by_id.find(id);
    if (it == context->comp->by_id.end() || it->second->arg_index < 0)
      Fail("odla_BindToArgumentById: no argument '", id, "'");
    context->arg_data[it->second->arg_index] = data;
  });
}

odla_status odla_BindToOutput(odla_context context, int index, void* data) {
  return GuardStatus([&] {
    if (!context || index < 0 || index >= static_cast<int>(context->out_data.size()))
      Fail("odla_BindToOutput: no output ", index);
    context->out_data[index] = data;
  });
}

odla_status odla_BindToOutputById(odla_context context, odla_value_id id, void* data) {
  return GuardStatus([&] {
    if (!context || !id) Fail("odla_BindToOutputById: NULL context or id");
    const auto& outs = context->comp->outputs;
    bool found = false;
    for (size_t i = 0; i < outs.size(); ++i)
      if (outs[i]->id == id) context->out_data[i] = data, found = true;
    if (!found) Fail("odla_BindToOutputById: no output '", id, "'");
  });
}

odla_status odla_ExecuteComputation(odla_computation computation, odla_context context) {
  return GuardStatus([&] {
    if (!computation || !context || context->comp != computation)
      Fail("odla_ExecuteComputation: the context does not belong to the computation");
    odla_computation c = computation;
    for (size_t i = 0; i < c->args.size(); ++i)
      if (!context->arg_data[i] && ByteSize(c->args[i]->type) > 0)
        Fail("argument '", c->args[i]->id, "' is not bound");
    for (size_t i = 0; i < c->outputs.size(); ++i)
      if (!context->out_data[i] && ByteSize(c->outputs[i]->type) > 0)
        Fail("output ", i, " ('", c->outputs[i]->id, "') is not bound");
    auto& shapes = context->shapes;
    if (!context->memory.AllocatedFor(c->values.size())) {
      std::vector<odla_value> results;
      size_t scratch = 0, device_scratch = 0;
      for (const auto& n : c->nodes) {
        results.insert(results.end(), n.outputs.begin(), n.outputs.end());
        size_t& s = n.on_device ? device_scratch : scratch;
        s = std::max(s, n.scratch_bytes);
      }
      context->memory.Allocate(results, c->values.size(), c->arena_bytes, scratch, c->device,
                               device_scratch);
    }
    if (shapes.size() != c->values.size()) {
      shapes.clear();
      for (const auto& v : c->values) shapes.push_back(v->type.shape);
    }
    auto data_of = [&](odla_value v) -> void* {
      if (!v) return nullptr;
      if (v->const_data) return const_cast<void*>(v->const_data);
      if (v->arg_index >= 0) return const_cast<void*>(context->arg_data[v->arg_index]);
      return context->memory.Data(v);
    };
    std::vector<const void*> ins;
    std::vector<void*> outs;
    std::vector<odla_value_shape> out_shapes;
    auto run_node = [&](const OpNode& n) {
      ins.clear();
      outs.clear();
      out_shapes.clear();
      for (odla_value v : n.inputs) ins.push_back(data_of(v));
      for (odla_value v : n.outputs) {
        outs.push_back(data_of(v));
        out_shapes.push_back(v->type.shape);
      }
      const ValueMemory& m = context->memory;
      n.kernel(KernelArgs{ins.data(), outs.data(), out_shapes.data(),
                          n.on_device ? m.device_scratch() : m.scratch(), m.stream()});
      for (size_t i = 0; i < n.outputs.size(); ++i)
        if (n.outputs[i]->data_dependent) shapes[n.outputs[i]->index] = out_shapes[i];
    };
    // Runs of device ops go through graphs when they are on (graphs.h); other ops run one by
    // one. With ODLA_PROFILE, each is timed (profile.h).
    const auto& nodes = c->nodes;
    const bool graphs = c->device && GraphsEnabled();
    ProfileRun profile(c->profile.get(), c->device, context->memory.stream(),
                       &context->profile_marks);
    for (size_t i = 0; i < nodes.size();) {
      size_t end = graphs ? SegmentEnd(nodes, context->memory, i) : i;
      if (c->profile) profile.Begin(i, std::max(end, i + 1), nodes[i].on_device);
      if (end == i) {
        run_node(nodes[i++]);
      } else {
        RunSegment(*c->device, context->memory, nodes.size(), i, end,
                   [&](size_t j) { run_node(nodes[j]); });
        i = end;
      }
      if (c->profile) profile.End();
    }
    if (c->profile) profile.Begin(nodes.size(), nodes.size(), false);
    for (size_t i = 0; i < c->outputs.size(); ++i) {
      odla_value v = c->output_src[i];
      size_t bytes = ElementSize(v->type.element_type) * NumElements(shapes[v->index]);
      if (bytes && v->on_device)
        c->device->ToHost(context->memory.stream(), context->out_data[i], data_of(v), bytes);
      else if (bytes)
        std::memcpy(context->out_data[i], data_of(v), bytes);
    }
    if (c->device) c->device->Sync(context->memory.stream());
    if (c->profile) {
      profile.End();
      profile.Finish(nodes);
    }
  });
}

// The shape output i had in the last execution (its type's before the first).
static odla_value_shape OutputShape(odla_context context, size_t i) {
  odla_value v = context->comp->outputs[i];
  bool ran = v->index < static_cast<int>(context->shapes.size());
  return ran ? context->shapes[v->index] : v->type.shape;
}

odla_status odla_GetOutputShape(odla_context context, int index, odla_value_shape* shape) {
  return GuardStatus([&] {
    if (!context || !shape || index < 0 || index >= static_cast<int>(context->out_data.size()))
      Fail("odla_GetOutputShape: no output ", index);
    *shape = OutputShape(context, index);
  });
}

odla_status odla_GetOutputShapeById(odla_context context, odla_value_id id,
                                    odla_value_shape* shape) {
  return GuardStatus([&] {
    if (!context || !id || !shape) Fail("odla_GetOutputShapeById: NULL argument");
    const auto& outs = context->comp->outputs;
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i]->id != id) continue;
      *shape = OutputShape(context, i);
      return;
    }
    Fail("odla_GetOutputShapeById: no output '", id, "'");
  });
}

odla_status odla_DestroyContext(odla_context context) {
  if (context && context->memory.allocated())
    context->memory_cache->Keep(std::move(context->memory));
  delete context;
  return ODLA_SUCCESS;
}

}  // extern "C"
