#include "gpumarket/engine/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace gpumarket {
namespace {

std::vector<uint32_t> drain_args(EventQueue& queue) {
  std::vector<uint32_t> args;
  Event event;
  while (queue.pop(event)) args.push_back(event.arg);
  return args;
}

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue queue;
  queue.push(SimTime::micros(30), 0, 0, 3);
  queue.push(SimTime::micros(10), 0, 0, 1);
  queue.push(SimTime::micros(20), 0, 0, 2);
  EXPECT_EQ(drain_args(queue), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(EventQueue, BreaksTimeTiesByPriorityThenInsertionOrder) {
  EventQueue queue;
  queue.push(SimTime::micros(5), 2, 0, 20);
  queue.push(SimTime::micros(5), 1, 0, 10);
  queue.push(SimTime::micros(5), 2, 0, 21);
  queue.push(SimTime::micros(5), 1, 0, 11);
  queue.push(SimTime::micros(5), 0, 0, 0);
  EXPECT_EQ(drain_args(queue), (std::vector<uint32_t>{0, 10, 11, 20, 21}));
}

TEST(EventQueue, CancelledEventsNeverPop) {
  EventQueue queue;
  queue.push(SimTime::micros(1), 0, 0, 1);
  const EventHandle doomed = queue.push(SimTime::micros(2), 0, 0, 2);
  queue.push(SimTime::micros(3), 0, 0, 3);
  queue.cancel(doomed);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(drain_args(queue), (std::vector<uint32_t>{1, 3}));
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, PopBeforeLeavesLaterEventsAndSkipsACancelledTop) {
  EventQueue queue;
  const EventHandle first = queue.push(SimTime::micros(1), 0, 0, 1);
  queue.push(SimTime::micros(2), 0, 0, 2);
  queue.cancel(first);
  Event event;
  EXPECT_FALSE(queue.pop_before(SimTime::micros(2), event));
  EXPECT_EQ(queue.size(), 1u);
  ASSERT_TRUE(queue.pop_before(SimTime::micros(3), event));
  EXPECT_EQ(event.arg, 2u);
}

TEST(EventQueue, MatchesASortedReferenceUnderRandomPushesAndCancels) {
  // Independent reference: every event as a (time, priority, sequence) tuple, sorted.
  std::mt19937_64 rng(7);
  EventQueue queue;
  std::vector<std::tuple<int64_t, int, uint32_t>> reference;
  std::vector<std::pair<EventHandle, uint32_t>> handles;
  for (uint32_t i = 0; i < 20000; ++i) {
    const auto time = static_cast<int64_t>(rng() % 500);  // many ties
    const auto priority = static_cast<int>(rng() % 3);
    handles.emplace_back(queue.push(SimTime::micros(time), static_cast<Priority>(priority), 0, i),
                         i);
    reference.emplace_back(time, priority, i);
  }
  std::shuffle(handles.begin(), handles.end(), rng);
  std::vector<bool> cancelled(20000, false);
  for (size_t k = 0; k < 5000; ++k) {
    queue.cancel(handles[k].first);
    cancelled[handles[k].second] = true;
  }
  std::sort(reference.begin(), reference.end());
  std::vector<uint32_t> expected;
  for (const auto& [time, priority, arg] : reference) {
    if (!cancelled[arg]) expected.push_back(arg);
  }
  EXPECT_EQ(queue.size(), expected.size());
  EXPECT_EQ(drain_args(queue), expected);
}

TEST(EventQueue, InterleavedPushAndPopKeepOrder) {
  std::mt19937_64 rng(11);
  EventQueue queue;
  int64_t now = 0;
  for (int i = 0; i < 1000; ++i)
    queue.push(SimTime::micros(static_cast<int64_t>(rng() % 100)), 0, 0, 0);
  Event event;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(queue.pop(event));
    ASSERT_GE(event.time.count_micros(), now);
    now = event.time.count_micros();
    queue.push(SimTime::micros(now + static_cast<int64_t>(rng() % 100)), 0, 0, 0);
  }
}

TEST(EventQueue, SizeExcludesThePoppedEventBeforeAndAfterTheNextPush) {
  EventQueue queue;
  queue.push(SimTime::micros(1), 0, 0, 1);
  queue.push(SimTime::micros(2), 0, 0, 2);
  Event event;
  ASSERT_TRUE(queue.pop(event));
  EXPECT_EQ(queue.size(), 1u);
  queue.push(SimTime::micros(0), 0, 0, 0);  // earlier than everything left
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(drain_args(queue), (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, MatchesASortedReferenceUnderRandomPushesPopsAndCancels) {
  // Pops, pushes and cancels interleave in random order, so a push lands both right
  // after a pop (reusing the popped root) and after another push.
  std::mt19937_64 rng(13);
  EventQueue queue;
  std::set<std::tuple<int64_t, int, uint32_t>>
      reference;  // (time, priority, arg = insertion index)
  std::vector<std::pair<EventHandle, std::tuple<int64_t, int, uint32_t>>> live;
  int64_t now = 0;
  uint32_t next_arg = 0;
  Event event;
  for (int step = 0; step < 200000; ++step) {
    const auto action = rng() % 10;
    if (action < 5) {
      const int64_t time = now + static_cast<int64_t>(rng() % 50);
      const int priority = static_cast<int>(rng() % 3);
      const auto entry = std::make_tuple(time, priority, next_arg);
      live.emplace_back(
          queue.push(SimTime::micros(time), static_cast<Priority>(priority), 0, next_arg), entry);
      reference.insert(entry);
      ++next_arg;
    } else if (action < 9) {
      const bool popped = queue.pop(event);
      ASSERT_EQ(popped, !reference.empty());
      if (!popped) continue;
      const auto expected = *reference.begin();
      reference.erase(reference.begin());
      ASSERT_EQ(event.arg, std::get<2>(expected));
      ASSERT_EQ(event.time.count_micros(), std::get<0>(expected));
      ASSERT_EQ(event.priority(), std::get<1>(expected));
      now = event.time.count_micros();
    } else if (!live.empty()) {
      const size_t pick = rng() % live.size();
      if (reference.erase(live[pick].second) == 1) queue.cancel(live[pick].first);
      live[pick] = live.back();
      live.pop_back();
    }
    ASSERT_EQ(queue.size(), reference.size());
  }
}

// A restored queue pops what the original pops, event for event, and numbers new events as it
// does: the state a checkpoint saves is enough, whatever the heap's layout or cancelled events.
TEST(EventQueue, ARestoredQueueContinuesAsTheOriginalDoes) {
  std::mt19937_64 rng(5);
  EventQueue original;
  std::vector<EventHandle> live;
  int64_t now = 0;
  auto step = [&rng, &now](EventQueue& queue, std::vector<EventHandle>& handles,
                           std::vector<Event>& popped) {
    const auto op = rng() % 8;  // pushes outnumber removals: the queue grows
    if (op < 5) {
      const auto time = SimTime::micros(now + static_cast<int64_t>(rng() % 50));
      handles.push_back(queue.push(time, static_cast<Priority>(rng() % 3),
                                   static_cast<uint32_t>(rng() % 5), static_cast<uint32_t>(rng())));
    } else if (op == 5 && !handles.empty()) {
      const size_t k = rng() % handles.size();
      queue.cancel(handles[k]);
      handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      Event event;
      if (queue.pop(event)) {
        now = event.time.count_micros();
        popped.push_back(event);
        std::erase_if(handles, [&](EventHandle h) { return h.sequence == event.sequence(); });
      }
    }
  };
  std::vector<Event> ignored;
  for (int i = 0; i < 5000; ++i) step(original, live, ignored);
  ASSERT_GT(original.size(), 100u);

  EventQueue restored;
  restored.restore(original.pending_events(), original.next_sequence());
  EXPECT_EQ(restored.size(), original.size());
  EXPECT_EQ(restored.next_sequence(), original.next_sequence());
  // The same random operations on both: handles taken before the restore stay valid in it.
  const std::mt19937_64 fork = rng;
  const int64_t fork_now = now;
  std::vector<EventHandle> live_copy = live;
  std::vector<Event> from_original, from_restored;
  for (int i = 0; i < 20000; ++i) step(original, live, from_original);
  rng = fork;
  now = fork_now;
  for (int i = 0; i < 20000; ++i) step(restored, live_copy, from_restored);
  ASSERT_EQ(from_original.size(), from_restored.size());
  ASSERT_GT(from_original.size(), 1000u);
  for (size_t i = 0; i < from_original.size(); ++i) {
    EXPECT_EQ(from_original[i].time, from_restored[i].time);
    EXPECT_EQ(from_original[i].order, from_restored[i].order);
    EXPECT_EQ(from_original[i].handler, from_restored[i].handler);
    EXPECT_EQ(from_original[i].arg, from_restored[i].arg);
  }
  EXPECT_EQ(drain_args(original), drain_args(restored));
}

}  // namespace
}  // namespace gpumarket
