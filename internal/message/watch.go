package message

// Subscribe returns a channel that receives a signal after a message for
// the user has been stored by this process (the notification that wakes
// read_sms long-polls), and the function that ends the subscription. The
// channel holds one pending signal, so a burst of messages wakes a slow
// reader once; a reader looks the news up itself, and should also look
// every few seconds, since messages stored by other processes of a cluster
// send no signal here.
func (s *Service) Subscribe(userID int64) (<-chan struct{}, func()) {
	ch := s.waiters.add(userID)
	return ch, func() { s.waiters.remove(userID, ch) }
}
